import { t } from '../lang.js';
import type { Check } from './types.js';

// PLACEHOLDER: to be implemented.
export const vpcEndpoints: Check = {
  id: 'vpc-endpoints',
  severity: 'critical',
  title: t('vpc-endpoints', 'vpc-endpoints'),
  evaluate() {
    return { status: 'skip', message: t('not implemented', 'not implemented') };
  },
};
