/**
 * Which address family the agent's connections use. An instance in an IPv6-only subnet (or with no private IPv4 address
 * and an IPv6 one) talks IPv6 only, so only IPv6 rules can let its traffic through; a dual-stack instance keeps IPv4's
 * verdicts, since the agent prefers the IPv4 endpoints there.
 */
import type { Endpoint, Subnet } from '../../facts/schema.js';
import { blockOf, type Block, type Family } from './cidr.js';
import { need } from '../types.js';
import { notCollected, type Network } from './network.js';

export function familyOf(net: Network): Family {
  const { instance } = net;
  const subnets = net.vpc.subnets;
  const subnet = subnets.known ? subnets.value.find((s) => s.subnetId === net.subnetId) : undefined;
  if (subnet?.ipv6Native === true) return 'ipv6';
  return !instance.privateIp && (instance.ipv6Addresses?.length ?? 0) > 0 ? 'ipv6' : 'ipv4';
}

/**
 * The addresses an endpoint's security group must admit the instance by: its IPv6 addresses when it is IPv6-only, else
 * its private IPv4 address (a dual-stack instance keeps the IPv4 verdict). Empty when the facts hold none.
 */
export function clientAddresses(net: Network): string[] {
  const { instance } = net;
  if (familyOf(net) === 'ipv6') return instance.ipv6Addresses ?? [];
  return instance.privateIp ? [instance.privateIp] : [];
}

/** The instance's IPv6 addresses; unknown when the facts do not hold them (a facts file written before they were read). */
export function ipv6Addresses(net: Network): string[] {
  const { instance } = net;
  const addresses = instance.ipv6Addresses ?? [];
  if (!addresses.length) throw notCollected('ec2:DescribeInstances', `${instance.instanceId} has no IPv6 address in the facts`);
  return addresses;
}

/** A subnet's IPv6 blocks (none for an IPv4-only subnet); unknown when the subnet or its blocks were not collected. */
export function subnetIpv6Cidrs(net: Network, subnetId: string): string[] {
  const subnet: Subnet | undefined = need(net.vpc.subnets, 'ec2:DescribeSubnets').find((s) => s.subnetId === subnetId);
  if (!subnet?.ipv6Cidrs) throw notCollected('ec2:DescribeSubnets', `the IPv6 CIDR blocks of ${subnetId} were not collected`);
  return subnet.ipv6Cidrs;
}

/**
 * Where an endpoint's addresses of one family lie, subnet by subnet: its subnets' IPv4 CIDRs, or their IPv6 blocks (none
 * when the endpoint's IP address type is ipv4, which gives it no IPv6 address). Unknown when a subnet's blocks were not collected.
 */
export function endpointBlocks(net: Network, endpoint: Endpoint, family: Family): { id: string; cidr: string; block: Block }[] {
  if (family === 'ipv6') {
    if (endpoint.ipAddressType === 'ipv4') return [];
    return endpoint.subnetIds.flatMap((id) =>
      subnetIpv6Cidrs(net, id).flatMap((cidr) => {
        const block = blockOf(cidr);
        return block ? [{ id, cidr, block }] : [];
      }),
    );
  }
  const subnets = need(net.vpc.subnets, 'ec2:DescribeSubnets');
  return endpoint.subnetIds.map((id) => {
    const cidr = subnets.find((x) => x.subnetId === id)?.cidr;
    const block = cidr ? blockOf(cidr) : undefined;
    if (!cidr || !block)
      throw notCollected('ec2:DescribeSubnets', `the CIDR of ${id}, a subnet of ${endpoint.endpointId}, was not collected`);
    return { id, cidr, block };
  });
}
