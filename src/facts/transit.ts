/** What the owner of a shared transit gateway sees of it, and how a spoke account's facts take it in. */
import { known } from './fact.js';
import type { Facts, TransitGateways } from './schema.js';

/** The owner account's reads of its transit gateways (src/collect/ec2/transit.ts): their state, and the hub VPCs in full. */
export interface OwnersView {
  transitGateways: TransitGateways;
  hubs: { vpcs: Facts['vpcs']; prefixLists: NonNullable<Facts['prefixLists']> };
}

/** The transit gateways of these facts that another account owns, or that a shared VPC's owner attached, by that account: a spoke account sees only part of them. */
export function foreignTransitGateways(facts: Facts, account: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [tgw, f] of Object.entries(facts.transitGateways?.attachments ?? {})) {
    const owner = f.known ? f.value.find((a) => a.transitGatewayOwnerId)?.transitGatewayOwnerId : undefined;
    if (owner && owner !== account) out.set(owner, [...(out.get(owner) ?? []), tgw]);
  }
  // A shared VPC's owner holds its attachments: a participant account sees none of them.
  const tgws = Object.keys(facts.transitGateways?.attachments ?? {});
  for (const vpc of Object.values(facts.vpcs)) {
    const owner = vpc.ownerId;
    if (tgws.length && owner && owner !== account && !out.has(owner)) out.set(owner, tgws);
  }
  return out;
}

/**
 * A spoke's facts with what the transit gateways' owner account read of them: its view of the
 * attachments, propagations and hubs replaces the spoke account's, and the hub VPCs join the VPCs.
 */
export function withOwnersView(facts: Facts, owner: OwnersView): Facts {
  const mine = facts.transitGateways;
  const theirs = owner.transitGateways;
  return {
    ...facts,
    vpcs: { ...owner.hubs.vpcs, ...facts.vpcs },
    prefixLists: { ...owner.hubs.prefixLists, ...facts.prefixLists },
    transitGateways: {
      attachments: { ...mine?.attachments, ...theirs.attachments },
      gateways: { ...mine?.gateways, ...theirs.gateways },
      propagations: { ...mine?.propagations, ...theirs.propagations },
      hubVpcs:
        mine?.hubVpcs.known && theirs.hubVpcs.known
          ? known([...new Set([...mine.hubVpcs.value, ...theirs.hubVpcs.value])].sort())
          : theirs.hubVpcs,
    },
  };
}
