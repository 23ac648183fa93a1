import { t } from '../lang.js';
import type { Check } from './types.js';

// PLACEHOLDER: to be implemented.
export const networkRoute: Check = {
  id: 'network-route',
  severity: 'critical',
  title: t('network-route', 'network-route'),
  evaluate() {
    return { status: 'skip', message: t('not implemented', 'not implemented') };
  },
};
