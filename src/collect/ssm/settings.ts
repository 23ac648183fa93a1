/** Account-wide Systems Manager settings (Default Host Management, Session Manager preferences) and each session channel's status. */
import { GetConnectionStatusCommand, GetDocumentCommand, GetServiceSettingCommand } from '@aws-sdk/client-ssm';
import { lastSegment } from '../../aws/arn.js';
import { DHMC_SETTING_ID, SESSION_DOCUMENT } from '../../aws/services.js';
import { known } from '../../facts/fact.js';
import type { Fact, SessionPreferences } from '../../facts/schema.js';
import type { Clients } from '../sdk/clients.js';
import { codeOf, unknownOf } from '../sdk/errors.js';
import { RefusedOperation } from '../sdk/guard.js';
import { attempt, incomplete, zipRecord } from '../sdk/read.js';
import { parseSessionPreferences } from './map.js';

export interface DhmcRead {
  fact: Fact<{ roleName: string | null }>;
  /** The setting's value, e.g. `service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole`: the role's path and name. */
  rolePath?: string;
}

/** Default Host Management Configuration: the role name the setting names, or null when it is off. */
export async function defaultHostManagement(c: Clients): Promise<DhmcRead> {
  try {
    const o = await c.ssm.send(new GetServiceSettingCommand({ SettingId: DHMC_SETTING_ID }));
    const value = o.ServiceSetting?.SettingValue?.trim();
    const on = value && value !== '$None' ? value.replace(/^\/+/, '') : undefined;
    return { fact: known({ roleName: on ? lastSegment(on) : null }), rolePath: on };
  } catch (e) {
    if (e instanceof RefusedOperation) throw e;
    if (codeOf(e) === 'ServiceSettingNotFound') return { fact: known({ roleName: null }) };
    return { fact: unknownOf('ssm:GetServiceSetting', e) };
  }
}

/** ssm:GetConnectionStatus takes one target per call. */
export async function connectionStatuses(c: Clients, ids: string[]): Promise<Record<string, Fact<string>>> {
  const statuses = await Promise.all(
    ids.map((id) =>
      attempt('ssm:GetConnectionStatus', async () => {
        const status = (await c.ssm.send(new GetConnectionStatusCommand({ Target: id }))).Status;
        if (!status) throw incomplete('Status');
        return status;
      }),
    ),
  );
  return zipRecord(ids, statuses);
}

/** The Session Manager preferences; null when they were never saved (the document does not exist). */
export async function sessionPreferences(c: Clients): Promise<Fact<SessionPreferences | null>> {
  try {
    const o = await c.ssm.send(new GetDocumentCommand({ Name: SESSION_DOCUMENT, DocumentFormat: 'JSON' }));
    return known(parseSessionPreferences(o.Content));
  } catch (e) {
    if (e instanceof RefusedOperation) throw e;
    if (codeOf(e) === 'InvalidDocument') return known(null);
    return unknownOf('ssm:GetDocument', e);
  }
}
