import { t } from '../lang.js';
import type { Check } from './types.js';

// PLACEHOLDER: to be implemented.
export const endpointPrivateDns: Check = {
  id: 'endpoint-private-dns',
  severity: 'critical',
  title: t('endpoint-private-dns', 'endpoint-private-dns'),
  evaluate() {
    return { status: 'skip', message: t('not implemented', 'not implemented') };
  },
};
