import {
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewaysCommand,
  DescribeTransitGatewayVpcAttachmentsCommand,
  DescribeVpcEndpointsCommand,
  GetTransitGatewayRouteTablePropagationsCommand,
  type TransitGatewayAttachment,
  type TransitGatewayVpcAttachment,
} from '@aws-sdk/client-ec2';
import { serviceOf } from '../../aws/services.js';
import { known } from '../../facts/fact.js';
import type { Fact, TgwAttachment, TgwPropagation, TransitGateways, Vpc } from '../../facts/schema.js';
import type { OwnersView } from '../../facts/transit.js';
import type { Clients } from '../sdk/clients.js';
import { attempt, chunks, compact, pages, unique, zipRecord } from '../sdk/read.js';
import { describeVpcs, FILTER_BATCH } from './network.js';

/** The transit gateways that an active route of these VPCs names. */
export function routedTransitGateways(vpcs: Readonly<Record<string, Pick<Vpc, 'routeTables'>>>): string[] {
  return unique(
    Object.values(vpcs).flatMap((v) =>
      v.routeTables.known
        ? v.routeTables.value.flatMap((t) => t.routes.filter((r) => r.state.toLowerCase() === 'active' && r.target.startsWith('tgw-')))
        : [],
    ),
  ).map((r) => r.target);
}

const tgwFilter = (tgwIds: string[]) => ({ Name: 'transit-gateway-id', Values: tgwIds });

/**
 * Each transit gateway's VPC attachments: their subnets and state (DescribeTransitGatewayVpcAttachments) with the route
 * table each is associated with (DescribeTransitGatewayAttachments), side by side. Either read failing leaves the
 * attachments unknown: an attachment without its association could not be followed.
 */
async function attachmentsOf(c: Clients, tgwIds: string[]): Promise<Record<string, Fact<TgwAttachment[]>>> {
  const [vpcAttachments, attachments] = await Promise.all([
    attempt('ec2:DescribeTransitGatewayVpcAttachments', () =>
      pages(
        (NextToken) =>
          c.ec2.send(new DescribeTransitGatewayVpcAttachmentsCommand({ Filters: [tgwFilter(tgwIds)], MaxResults: 1000, NextToken })),
        (o) => o.TransitGatewayVpcAttachments,
        (o) => o.NextToken,
      ),
    ),
    attempt('ec2:DescribeTransitGatewayAttachments', () =>
      pages(
        (NextToken) =>
          c.ec2.send(
            new DescribeTransitGatewayAttachmentsCommand({
              Filters: [tgwFilter(tgwIds), { Name: 'resource-type', Values: ['vpc'] }],
              MaxResults: 1000,
              NextToken,
            }),
          ),
        (o) => o.TransitGatewayAttachments,
        (o) => o.NextToken,
      ),
    ),
  ]);
  const failed = !vpcAttachments.known ? vpcAttachments : !attachments.known ? attachments : undefined;
  return Object.fromEntries(
    tgwIds.map((tgw) => {
      if (failed || !vpcAttachments.known || !attachments.known) return [tgw, failed!];
      const mine = vpcAttachments.value.filter((a) => a.TransitGatewayId === tgw);
      return [tgw, known(mine.flatMap((a) => mapAttachment(a, attachments.value)))];
    }),
  );
}

const SG_REFERENCING = new Set(['enable', 'disable']);

function mapAttachment(a: TransitGatewayVpcAttachment, all: readonly TransitGatewayAttachment[]): TgwAttachment[] {
  if (!a.TransitGatewayAttachmentId || !a.TransitGatewayId || !a.VpcId) return [];
  const other = all.find((x) => x.TransitGatewayAttachmentId === a.TransitGatewayAttachmentId);
  return [
    compact({
      attachmentId: a.TransitGatewayAttachmentId,
      transitGatewayId: a.TransitGatewayId,
      transitGatewayOwnerId: other?.TransitGatewayOwnerId,
      vpcId: a.VpcId,
      vpcOwnerId: a.VpcOwnerId,
      state: a.State ?? 'unknown',
      subnetIds: (a.SubnetIds ?? []).filter(Boolean),
      routeTableId: other?.Association?.TransitGatewayRouteTableId,
      associationState: other?.Association?.State,
      securityGroupReferencing: SG_REFERENCING.has(a.Options?.SecurityGroupReferencingSupport ?? '')
        ? (a.Options!.SecurityGroupReferencingSupport as TgwAttachment['securityGroupReferencing'])
        : undefined,
    }),
  ];
}

/** Each transit gateway's owner and whether it lets security group rules name groups across it (its own option, besides the attachments'). */
async function gatewaysOf(c: Clients, tgwIds: string[]): Promise<NonNullable<TransitGateways['gateways']>> {
  const got = await attempt('ec2:DescribeTransitGateways', () =>
    pages(
      (NextToken) => c.ec2.send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: tgwIds, NextToken })),
      (o) => o.TransitGateways,
      (o) => o.NextToken,
    ),
  );
  return Object.fromEntries(
    tgwIds.map((id) => {
      if (!got.known) return [id, got];
      const t = got.value.find((g) => g.TransitGatewayId === id);
      if (!t)
        return [id, { known: false, call: 'ec2:DescribeTransitGateways', code: 'NotCollected', message: `${id} was not in the answer` }];
      const sg = t.Options?.SecurityGroupReferencingSupport;
      return [id, known(compact({ ownerId: t.OwnerId, securityGroupReferencing: sg === 'enable' || sg === 'disable' ? sg : undefined }))];
    }),
  );
}

async function propagationsOf(c: Clients, routeTableId: string): Promise<Fact<TgwPropagation[]>> {
  return attempt('ec2:GetTransitGatewayRouteTablePropagations', () =>
    pages(
      (NextToken) =>
        c.ec2.send(
          new GetTransitGatewayRouteTablePropagationsCommand({ TransitGatewayRouteTableId: routeTableId, MaxResults: 1000, NextToken }),
        ),
      (o) =>
        (o.TransitGatewayRouteTablePropagations ?? []).flatMap((p) =>
          p.TransitGatewayAttachmentId
            ? [
                compact({
                  attachmentId: p.TransitGatewayAttachmentId,
                  resourceId: p.ResourceId,
                  resourceType: p.ResourceType,
                  state: p.State ?? 'unknown',
                }),
              ]
            : [],
        ),
      (o) => o.NextToken,
    ),
  );
}

async function propagationsFor(c: Clients, routeTableIds: string[]): Promise<TransitGateways['propagations']> {
  const ids = unique(routeTableIds);
  return zipRecord(ids, await Promise.all(ids.map((id) => propagationsOf(c, id))));
}

/** Of these VPCs, those with an interface endpoint for a Systems Manager service: where centralised endpoints live. */
async function hubVpcsAmong(c: Clients, vpcIds: string[]): Promise<Fact<string[]>> {
  return attempt('ec2:DescribeVpcEndpoints', async () => {
    const found = await Promise.all(
      chunks(vpcIds, FILTER_BATCH).map((batch) =>
        pages(
          (NextToken) =>
            c.ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: batch }], MaxResults: 1000, NextToken })),
          (o) => o.VpcEndpoints,
          (o) => o.NextToken,
        ),
      ),
    );
    return unique(
      found
        .flat()
        .flatMap((e) => (e.VpcEndpointType?.toLowerCase() === 'interface' && serviceOf(e.ServiceName ?? '', c.region) ? [e.VpcId] : [])),
    ).sort();
  });
}

/** What the reads of the transit gateways give: their state, and the hub VPCs read in full (without what only an instance's own VPC needs). */
export type TransitRead = OwnersView;

/**
 * Follows the transit gateways that the instances' route tables name, only when one does: the VPC
 * attachments and their route tables; then, side by side, what the spokes' route tables learn
 * (propagations) and which other attached VPCs hold Systems Manager interface endpoints; then those
 * hub VPCs in full and what their attachments' route tables learn (the way back). Static routes of a
 * transit gateway route table are not read: only ec2:SearchTransitGatewayRoutes shows them, and this
 * tool makes Describe, Get and List calls only.
 */
export async function transitGatewaysOf(
  c: Clients,
  vpcs: Readonly<Record<string, Pick<Vpc, 'routeTables'>>>,
): Promise<TransitRead | undefined> {
  const tgwIds = routedTransitGateways(vpcs);
  return tgwIds.length ? followTransitGateways(c, tgwIds, new Set(Object.keys(vpcs))) : undefined;
}

/**
 * The same reads for these transit gateways, the VPCs in `spokes` being read already. Run with the
 * clients of the transit gateway's owner, they show what a spoke account cannot see of a shared
 * transit gateway: every attachment, the route tables' propagations, and the hub VPCs of that account.
 */
export async function followTransitGateways(c: Clients, tgwIds: string[], spokes: ReadonlySet<string>): Promise<TransitRead> {
  const [attachments, gateways] = await Promise.all([attachmentsOf(c, tgwIds), gatewaysOf(c, tgwIds)]);
  const all = Object.values(attachments).flatMap((f) => (f.known ? f.value : []));
  const ours = all.filter((a) => spokes.has(a.vpcId));
  const others = unique(all.filter((a) => !spokes.has(a.vpcId)).map((a) => a.vpcId)).sort();
  const [spokePropagations, hubVpcs] = await Promise.all([
    propagationsFor(c, unique(ours.map((a) => a.routeTableId))),
    others.length ? hubVpcsAmong(c, others) : Promise.resolve(known<string[]>([])),
  ]);
  const hubIds = hubVpcs.known ? hubVpcs.value : [];
  const hubRouteTables = all.filter((a) => hubIds.includes(a.vpcId) && a.routeTableId && !(a.routeTableId in spokePropagations));
  const [hubs, hubPropagations] = await Promise.all([
    describeVpcs(c, hubIds, [], { hub: true }),
    propagationsFor(c, unique(hubRouteTables.map((a) => a.routeTableId))),
  ]);
  return { transitGateways: { attachments, gateways, propagations: { ...spokePropagations, ...hubPropagations }, hubVpcs }, hubs };
}
