/** Route 53 private hosted zones that answer for Systems Manager's names in a VPC, steering them to centralised endpoints. */
import type { HostedZone } from '../../facts/schema.js';
import { NO_TEXT, defineMessages, type Text } from '../../lang.js';
import { serviceHost, type SsmService } from '../../aws/services.js';
import { listOf } from './network.js';

const M = defineMessages({
  zone: { en: '{name} ({id}{owner})', ja: '{name} ({id}{owner})' },
  ownerAccount: { en: ', account {account}', ja: '、アカウント {account}' },
  ownerService: { en: ', {service}', ja: '、{service}' },
});

const zoneName = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();

/**
 * The private hosted zones associated with the VPC that answer for a service's name: the name itself, or a parent up
 * to amazonaws.com. Such a zone makes the VPC's resolver return its records instead of the public ones.
 */
export function steeringZones(zones: readonly HostedZone[], region: string, service: SsmService): HostedZone[] {
  const labels = serviceHost(region, service).split('.');
  const stop = region.startsWith('cn-') ? 3 : 2;
  const names = new Set<string>();
  for (let i = 0; i <= labels.length - stop; i++) names.add(`${labels.slice(i).join('.')}.`);
  return zones.filter((z) => names.has(zoneName(z.name)));
}

/** "ssm.ap-northeast-1.amazonaws.com. (Z0…, account 111122223333)" for each zone, once. */
export function zonesText(zones: readonly HostedZone[]): Text {
  const seen = new Map<string, HostedZone>();
  for (const z of zones) seen.set(z.hostedZoneId, z);
  return listOf(
    [...seen.values()].map((z) => {
      const owner = z.owningAccount
        ? M('ownerAccount', { account: z.owningAccount })
        : z.owningService
          ? M('ownerService', { service: z.owningService })
          : NO_TEXT;
      return M('zone', { name: zoneName(z.name), id: z.hostedZoneId, owner });
    }),
  );
}
