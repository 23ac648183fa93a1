import { t } from '../lang.js';
import type { Check } from './types.js';

// PLACEHOLDER: to be implemented.
export const endpointSgHttps: Check = {
  id: 'endpoint-sg-https',
  severity: 'critical',
  title: t('endpoint-sg-https', 'endpoint-sg-https'),
  evaluate() {
    return { status: 'skip', message: t('not implemented', 'not implemented') };
  },
};
