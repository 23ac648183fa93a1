import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, instanceOf, natRoute, vpcOf } from '../helpers/facts';
import { known, type BpaExclusion, type Facts } from '../../src/facts/schema';

const ID = 'block-public-access';
const EX = 'vpcbpa-exclude-0123456789abcdef0';

/** The three endpoints gone and 0.0.0.0/0 to a public NAT gateway in the public subnet. */
const natPath = (f: Facts) => {
  vpcOf(f).endpoints = known([]);
  natRoute(f);
};
/** The instance in the public subnet with a public IPv4, out through the internet gateway. */
const igwPath = (f: Facts) => {
  vpcOf(f).endpoints = known([]);
  instanceOf(f).subnetId = IDS.publicSubnet;
  instanceOf(f).publicIp = '203.0.113.10';
};
const mode = (f: Facts, m: string, extra: { exclusionsAllowed?: string; managedBy?: string } = {}) =>
  void (f.blockPublicAccess!.options = known({
    mode: m,
    state: 'update-complete',
    exclusionsAllowed: 'allowed',
    managedBy: 'account',
    ...extra,
  }));
const exclude = (f: Facts, resourceId: string, m = 'allow-egress', state = 'create-complete') => {
  const e: BpaExclusion = { exclusionId: EX, resourceId, mode: m, state };
  f.blockPublicAccess!.exclusions = known([e]);
};
const notConnected = (f: Facts) => void (f.connections = { [IDS.instance]: known('notconnected') });
const region = `--region ${IDS.region}$`;

checkCases(ID, [
  {
    name: 'through the interface endpoints: BPA does not apply, even in bidirectional mode',
    facts: factsWith((f) => mode(f, 'block-bidirectional')),
    status: 'pass',
    message: /reaches ssm, ssmmessages through VPC endpoints, which VPC Block Public Access does not affect/,
  },
  {
    name: 'NAT path, BPA off: passes, saying so',
    facts: factsWith(natPath),
    status: 'pass',
    message: new RegExp(`VPC Block Public Access is off in ${IDS.region}`),
  },
  {
    name: 'NAT path, block-ingress: the connections the instance opens through the NAT gateway stay open',
    facts: factsWith((f) => {
      natPath(f);
      mode(f, 'block-ingress');
    }),
    status: 'pass',
    message: new RegExp(
      `block-ingress in ${IDS.region}: it blocks connections from the internet, not those ${IDS.instance} opens through NAT gateway ${IDS.nat}`,
    ),
  },
  {
    name: "NAT path, bidirectional, the NAT gateway's subnet excluded allow-egress: passes, naming the exclusion",
    facts: factsWith((f) => {
      natPath(f);
      mode(f, 'block-bidirectional');
      exclude(f, IDS.publicSubnet);
    }),
    status: 'pass',
    message: new RegExp(`exclusion ${EX} \\(allow-egress\\) of ${IDS.publicSubnet} let ${IDS.instance}'s traffic out through ${IDS.nat}`),
  },
  {
    name: 'NAT path, bidirectional, the whole VPC excluded allow-bidirectional: passes',
    facts: factsWith((f) => {
      natPath(f);
      mode(f, 'block-bidirectional');
      exclude(f, IDS.vpc, 'allow-bidirectional', 'update-complete');
    }),
    status: 'pass',
    message: new RegExp(`of ${IDS.vpc} let`),
  },
  {
    name: "NAT path, bidirectional, no exclusion: fail naming the mode, the NAT gateway's subnet and the exclusion to create",
    facts: factsWith((f) => {
      natPath(f);
      mode(f, 'block-bidirectional');
    }),
    status: 'fail',
    message: new RegExp(
      `block-bidirectional in ${IDS.region}: it blocks ${IDS.instance}'s traffic to ssm, ssmmessages through NAT gateway ${IDS.nat}, and neither the NAT gateway's subnet ${IDS.publicSubnet} nor ${IDS.vpc} has an exclusion that allows egress`,
    ),
    messageJa: /送信を許可する除外/,
    commands: [
      new RegExp(
        `^aws ec2 create-vpc-block-public-access-exclusion --subnet-id ${IDS.publicSubnet} --internet-gateway-exclusion-mode allow-egress ${region}`,
      ),
    ],
    verify: (r) => {
      expect(r.fix!.steps[0]!.text.en).toBe(
        `VPC → Settings → Block public access → Exclusions → Create exclusions → Subnet ${IDS.publicSubnet} (the NAT gateway's subnet), Allow direction: Egress-only → Create exclusions`,
      );
      expect(r.fix!.steps[0]!.text.ja).toContain('「パブリックアクセスをブロック」');
      expect(r.fix!.steps[1]!.text.en).toMatch(/interface endpoints for ssm, ssmmessages/);
    },
  },
  {
    name: "NAT path, bidirectional, an exclusion of the instance's own subnet does not open the NAT gateway's",
    facts: factsWith((f) => {
      natPath(f);
      mode(f, 'block-bidirectional');
      exclude(f, IDS.subnet);
    }),
    status: 'fail',
    message: new RegExp(`NAT gateway's subnet ${IDS.publicSubnet} nor ${IDS.vpc}`),
  },
  {
    name: 'NAT path, bidirectional, an exclusion still being created is named and not counted',
    facts: factsWith((f) => {
      natPath(f);
      mode(f, 'block-bidirectional');
      exclude(f, IDS.publicSubnet, 'allow-egress', 'create-in-progress');
    }),
    status: 'fail',
    message: new RegExp(`exclusion ${EX} of ${IDS.publicSubnet} is create-in-progress, not in force`),
  },
  {
    name: "exclusions not allowed by the organisation's declarative policy: fail, and the fix says whom to ask, no command",
    facts: factsWith((f) => {
      natPath(f);
      mode(f, 'block-bidirectional', { exclusionsAllowed: 'not-allowed', managedBy: 'declarative-policy' });
      exclude(f, IDS.publicSubnet, 'allow-egress', 'disable-complete');
    }),
    status: 'fail',
    message: /exclusions are not allowed in this account \(managed by declarative-policy\)/,
    commands: [],
    verify: (r) => expect(r.fix!.steps[0]!.text.en).toMatch(/ask your organisation's administrators/),
  },
  {
    name: 'internet gateway path, bidirectional, no exclusion, agent not connected: fail with an allow-bidirectional exclusion of its subnet',
    facts: factsWith((f) => {
      igwPath(f);
      notConnected(f);
      mode(f, 'block-bidirectional');
    }),
    status: 'fail',
    message: new RegExp(
      `through internet gateway ${IDS.igw} to its public IPv4 203\\.0\\.113\\.10, and neither ${IDS.publicSubnet} nor ${IDS.vpc} has an allow-bidirectional exclusion`,
    ),
    commands: [
      new RegExp(
        `^aws ec2 create-vpc-block-public-access-exclusion --subnet-id ${IDS.publicSubnet} --internet-gateway-exclusion-mode allow-bidirectional ${region}`,
      ),
    ],
    verify: (r) =>
      expect(r.fix!.steps[0]!.text.en).toMatch(/Allow direction: Bidirectional → Create exclusions \(this also lets the internet in/),
  },
  {
    name: 'internet gateway path, block-ingress: only NAT and egress-only gateways keep outbound connections (AWS), so it fails',
    facts: factsWith((f) => {
      igwPath(f);
      notConnected(f);
      mode(f, 'block-ingress');
      exclude(f, IDS.publicSubnet);
    }),
    status: 'fail',
    message: new RegExp(`block-ingress .* exclusion ${EX} of ${IDS.publicSubnet} is allow-egress, which does not cover this path`),
  },
  {
    name: 'internet gateway path blocked on paper, but the agent is Online and connected: pass, saying why',
    facts: factsWith((f) => {
      igwPath(f);
      mode(f, 'block-ingress');
    }),
    status: 'pass',
    message: /but the agent of i-0123456789abcdef0 is Online and connected, so its traffic gets through/,
  },
  {
    name: 'internet gateway path, its subnet excluded allow-bidirectional: pass',
    facts: factsWith((f) => {
      igwPath(f);
      notConnected(f);
      mode(f, 'block-bidirectional');
      exclude(f, IDS.publicSubnet, 'allow-bidirectional');
    }),
    status: 'pass',
    message: new RegExp(`through ${IDS.igw}`),
  },
  {
    name: 'a transit gateway route: not a gateway of this VPC, so skip saying it cannot be seen',
    facts: factsWith((f) => {
      vpcOf(f).endpoints = known([]);
      const rts = vpcOf(f).routeTables;
      if (rts.known)
        rts.value
          .find((t) => t.routeTableId === IDS.privateRt)!
          .routes.push({ destination: '0.0.0.0/0', target: 'tgw-0123456789abcdef0', state: 'active' });
      mode(f, 'block-bidirectional');
    }),
    status: 'skip',
    message: /through tgw-0123456789abcdef0, not through an internet or NAT gateway of vpc-/,
  },
  {
    name: 'a region without VPC BPA: read as off, saying so',
    facts: factsWith((f) => {
      natPath(f);
      f.blockPublicAccess!.options = known({ mode: 'off', unavailable: 'InvalidAction' });
    }),
    status: 'pass',
    message: /not offered in ap-northeast-1 \(ec2:DescribeVpcBlockPublicAccessOptions answered InvalidAction\): read as off/,
  },
  {
    name: 'options denied on a NAT path: unknown, naming the call',
    facts: factsWith((f) => {
      natPath(f);
      f.blockPublicAccess!.options = denied('ec2:DescribeVpcBlockPublicAccessOptions', 'UnauthorizedOperation');
    }),
    status: 'unknown',
    message: /ec2:DescribeVpcBlockPublicAccessOptions/,
  },
  {
    name: 'exclusions denied in bidirectional mode: unknown, naming the call',
    facts: factsWith((f) => {
      natPath(f);
      mode(f, 'block-bidirectional');
      f.blockPublicAccess!.exclusions = denied('ec2:DescribeVpcBlockPublicAccessExclusions', 'UnauthorizedOperation');
    }),
    status: 'unknown',
    message: /ec2:DescribeVpcBlockPublicAccessExclusions/,
  },
  {
    name: 'options denied with endpoints: nothing to judge, so it still passes',
    facts: factsWith((f) => void (f.blockPublicAccess!.options = denied('ec2:DescribeVpcBlockPublicAccessOptions'))),
    status: 'pass',
  },
  {
    name: 'facts saved before BPA was read: skip, saying so (not UNKNOWN for every old file)',
    facts: factsWith((f) => {
      natPath(f);
      delete f.blockPublicAccess;
    }),
    status: 'skip',
    message: /VPC Block Public Access was not read \(facts saved by an earlier version of ssm-doctor\)/,
  },
  {
    name: 'no network path at all: network-route fails, so this check is skip',
    facts: factsWith((f) => {
      vpcOf(f).endpoints = known([]);
      mode(f, 'block-bidirectional');
    }),
    status: 'skip',
  },
]);
