import { t } from '../lang.js';
import type { Check } from './types.js';

// PLACEHOLDER: to be implemented.
export const vpcEndpointsAz: Check = {
  id: 'vpc-endpoints-az',
  severity: 'warning',
  title: t('vpc-endpoints-az', 'vpc-endpoints-az'),
  evaluate() {
    return { status: 'skip', message: t('not implemented', 'not implemented') };
  },
};
