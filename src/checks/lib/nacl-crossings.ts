/** Both sides of a crossing through network ACLs: the instance's subnet, address and reply ports, and the rules each way needs. */
import type { Instance, NetworkAcl } from '../../facts/schema.js';
import { defineMessages, type Text } from '../../lang.js';
import { FactUnknown, need } from '../types.js';
import { blockOf, type Block, type Family } from './cidr.js';
import { familyOf, ipv6Addresses, subnetIpv6Cidrs } from './ipv6.js';
import type { PortRange } from './nacl.js';
import type { Need } from './nacl-report.js';
import { notCollected, type Network } from './network.js';

const M = defineMessages({
  windowsPorts: { en: "Windows' dynamic ports 49152-65535", ja: 'Windows の動的ポート 49152-65535' },
  linuxPorts: { en: "Linux's ephemeral ports 32768-60999", ja: 'Linux のエフェメラルポート 32768-60999' },
  reply: { en: 'replies to {ports}', ja: '{ports} への応答' },
  request: { en: "the agent's HTTPS requests", ja: 'エージェントの HTTPS リクエスト' },
});

export const HTTPS: PortRange = { from: 443, to: 443 };
/** What fixes open for replies: AWS's advice, wide enough for every client OS and for a NAT gateway's ports. */
export const EPHEMERAL_FIX: PortRange = { from: 1024, to: 65535 };

/**
 * The ports the instance's replies come back to. The agent's connections take source ports from the OS's ephemeral
 * range, so every port of it must be open or some connections fail: Linux's default ip_local_port_range is
 * 32768–60999, Windows Server's dynamic range 49152–65535. A custom range on the instance cannot be seen from AWS.
 */
export function ephemeralPorts(instance: Instance): { ports: PortRange; text: Text } {
  if (instance.platform === 'windows' || /windows/i.test(instance.platformDetails ?? '')) {
    return { ports: { from: 49152, to: 65535 }, text: M('windowsPorts') };
  }
  return { ports: { from: 32768, to: 60999 }, text: M('linuxPorts') };
}

/** The instance's side of every crossing: its subnet's ACL, its address, its reply ports; the facts are read when first needed. */
export class Crossings {
  readonly eph: { ports: PortRange; text: Text };
  readonly reply: Text;
  /** IPv6 for an IPv6-only instance: only the ACLs' IPv6 entries then apply to its traffic. */
  readonly family: Family;
  private me?: { peers: Block[]; text: string; fixCidr: string };

  constructor(readonly net: Network) {
    this.eph = ephemeralPorts(net.instance);
    this.reply = M('reply', { ports: this.eph.text });
    this.family = familyOf(net);
  }

  aclOf(subnetId: string): NetworkAcl {
    const acl = need(this.net.vpc.networkAcls, 'ec2:DescribeNetworkAcls').find((a) => a.subnetIds.includes(subnetId));
    if (!acl) throw notCollected('ec2:DescribeNetworkAcls', `no collected network ACL is associated with ${subnetId}`);
    return acl;
  }

  cidrOf(subnetId: string): { cidr: string; block: Block } {
    const cidr = need(this.net.vpc.subnets, 'ec2:DescribeSubnets').find((s) => s.subnetId === subnetId)?.cidr;
    const block = cidr ? blockOf(cidr) : undefined;
    if (!cidr || !block) throw notCollected('ec2:DescribeSubnets', `the CIDR of ${subnetId} was not collected`);
    return { cidr, block };
  }

  /** The instance as the other side's ACLs see it; fixes admit its whole subnet, so a replaced instance keeps working. */
  self(): { peers: Block[]; text: string; fixCidr: string } {
    if (this.me) return this.me;
    if (this.family === 'ipv6') return (this.me = this.selfV6());
    const { instance, subnetId } = this.net;
    const ip = instance.privateIp;
    const block = ip ? blockOf(ip) : undefined;
    if (!ip || !block) throw notCollected('ec2:DescribeInstances', `${instance.instanceId} has no private IPv4 address in the facts`);
    let fixCidr = `${ip}/32`;
    try {
      fixCidr = this.cidrOf(subnetId).cidr;
    } catch (e) {
      if (!(e instanceof FactUnknown)) throw e;
    }
    return (this.me = { peers: [block], text: ip, fixCidr });
  }

  private selfV6(): { peers: Block[]; text: string; fixCidr: string } {
    const addresses = ipv6Addresses(this.net);
    const peers = addresses.flatMap((a) => blockOf(a) ?? []);
    let fixCidr = `${addresses[0]}/128`;
    try {
      fixCidr = subnetIpv6Cidrs(this.net, this.net.subnetId)[0] ?? fixCidr;
    } catch (e) {
      if (!(e instanceof FactUnknown)) throw e;
    }
    return { peers, text: addresses.join(', '), fixCidr };
  }

  /** From the instance's subnet to `peers` and back: requests out, replies in. */
  out(peers: Block[], peer: Text | string, fixCidr: string): Need[] {
    const acl = this.aclOf(this.net.subnetId);
    const subnetId = this.net.subnetId;
    return [
      { acl, subnetId, egress: true, peers, peer, ports: HTTPS, purpose: M('request'), fix: { cidr: fixCidr, ports: HTTPS } },
      {
        acl,
        subnetId,
        egress: false,
        peers,
        peer,
        ports: this.eph.ports,
        purpose: this.reply,
        fix: { cidr: fixCidr, ports: EPHEMERAL_FIX },
      },
    ];
  }

  /** Into another subnet from the instance and back: requests in, replies out. */
  into(subnetId: string): [request: Need, reply: Need] {
    const acl = this.aclOf(subnetId);
    const me = this.self();
    const peer = me.text;
    return [
      { acl, subnetId, egress: false, peers: me.peers, peer, ports: HTTPS, purpose: M('request'), fix: { cidr: me.fixCidr, ports: HTTPS } },
      {
        acl,
        subnetId,
        egress: true,
        peers: me.peers,
        peer,
        ports: this.eph.ports,
        purpose: this.reply,
        fix: { cidr: me.fixCidr, ports: EPHEMERAL_FIX },
      },
    ];
  }
}
