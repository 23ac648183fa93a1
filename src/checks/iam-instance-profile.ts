import { t } from '../lang.js';
import type { Check } from './types.js';

// PLACEHOLDER: to be implemented.
export const iamInstanceProfile: Check = {
  id: 'iam-instance-profile',
  severity: 'critical',
  title: t('iam-instance-profile', 'iam-instance-profile'),
  evaluate() {
    return { status: 'skip', message: t('not implemented', 'not implemented') };
  },
};
