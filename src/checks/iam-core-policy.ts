import { t } from '../lang.js';
import type { Check } from './types.js';

// PLACEHOLDER: to be implemented.
export const iamCorePolicy: Check = {
  id: 'iam-core-policy',
  severity: 'critical',
  title: t('iam-core-policy', 'iam-core-policy'),
  evaluate() {
    return { status: 'skip', message: t('not implemented', 'not implemented') };
  },
};
