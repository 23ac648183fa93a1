import { t } from '../lang.js';
import type { Check } from './types.js';

// PLACEHOLDER: to be implemented.
export const agentRegistered: Check = {
  id: 'agent-registered',
  severity: 'critical',
  title: t('agent-registered', 'agent-registered'),
  evaluate() {
    return { status: 'skip', message: t('not implemented', 'not implemented') };
  },
};
