import { RunMemo } from '../../src/checks/lib/memo';
import { placeholders, type Text } from '../../src/lang';
import { CHECKS } from '../../src/checks/index';
import { endpointGroup, httpsIngressFix, instanceSource, sgFixMessages } from '../../src/checks/lib/sg-fix';
import { endpointFixMessages, gatewayEndpointFix } from '../../src/checks/lib/endpoint-fix';
import { agentStepMessages } from '../../src/checks/lib/agent-steps';
import { agentEvidenceMessages } from '../../src/checks/lib/agent-evidence';
import { unknownMessages } from '../../src/checks/unknown';
import { networkOf, ssmEndpoints } from '../../src/checks/lib/path';
import { IDS, factsWith, instanceOf, vpcOf } from '../helpers/facts';
import type { Facts } from '../../src/facts/schema';

const net = (f: Facts) => networkOf({ facts: f, instance: instanceOf(f), memo: new RunMemo() });
const endpointsOf = (f: Facts) => {
  const e = vpcOf(f).endpoints;
  if (!e.known) throw new Error('endpoints unknown');
  return ssmEndpoints(e.value, IDS.region);
};

describe('httpsIngressFix', () => {
  it("opens 443 from the instance's security group, with the glossary's labels", () => {
    const fix = httpsIngressFix(net(factsWith(() => {})), IDS.endpointSg);
    expect(fix.commands).toEqual([
      `aws ec2 authorize-security-group-ingress --group-id ${IDS.endpointSg} --protocol tcp --port 443 --source-group ${IDS.instanceSg} --region ${IDS.region}`,
    ]);
    expect(fix.steps.map((s) => s.key)).toEqual([`endpoint-sg-https:${IDS.endpointSg}`]);
    expect(fix.steps[0]!.text.en).toBe(
      `VPC → Security groups → select ${IDS.endpointSg} → Inbound rules → Edit inbound rules → Add rule: Type HTTPS, Source ${IDS.instanceSg} (the instance's security group) → Save rules`,
    );
    expect(fix.steps[0]!.text.ja).toContain('「インバウンドルール」→「インバウンドルールを編集」→「ルールを追加」');
  });

  it('names the private address, not a security group, when the instance has none', () => {
    const f = factsWith((x) => void (instanceOf(x).primaryEniGroupIds = []));
    const fix = httpsIngressFix(net(f), IDS.endpointSg);
    expect(fix.commands[0]).toMatch(/--cidr 10\.0\.1\.12\/32 --region/);
    expect(fix.steps[0]!.text.en).toContain("Source 10.0.1.12/32 (the instance's private address)");
    expect(instanceSource(net(f)).id).toBe('10.0.1.12/32');
  });
});

describe('endpointGroup', () => {
  it('reuses the group already on the Systems Manager endpoints', () => {
    const f = factsWith(() => {});
    const g = endpointGroup(net(f), endpointsOf(f));
    expect(g).toMatchObject({ arg: IDS.endpointSg, text: IDS.endpointSg, commands: [] });
    expect(g.steps.map((s) => s.key)).toEqual([`endpoint-sg-reuse:${IDS.endpointSg}`]);
  });

  it('creates ssm-endpoints-<vpc> when there is nothing to reuse', () => {
    const f = factsWith(() => {});
    const g = endpointGroup(net(f), []);
    expect(g.arg).toEqual({ shell: '"$SG_ID"' });
    expect(g.steps.map((s) => s.key)).toEqual(['endpoint-sg-create']);
    expect(g.commands).toHaveLength(2);
    expect(g.commands[1]).toMatch(
      /^aws ec2 authorize-security-group-ingress --group-id "\$SG_ID" --protocol tcp --port 443 --source-group /,
    );
  });
});

describe('messages tables', () => {
  const tables: [string, Readonly<Record<string, Text>>][] = [
    ['lib/sg-fix', sgFixMessages],
    ['lib/endpoint-fix', endpointFixMessages],
    ['lib/agent-steps', agentStepMessages],
    ['lib/agent-evidence', agentEvidenceMessages],
    ['unknown', unknownMessages],
    ...CHECKS.flatMap((c): [string, Readonly<Record<string, Text>>][] => (c.messages ? [[c.id, c.messages]] : [])),
  ];
  const rows = tables.flatMap(([name, table]) => Object.entries(table).map(([key, text]) => [`${name}.${key}`, text] as const));
  it.each(rows)('%s takes the same placeholders in both languages', (_key, text) => {
    expect([...new Set(placeholders(text.ja))]).toEqual([...new Set(placeholders(text.en))]);
  });
});

describe('gatewayEndpointFix', () => {
  it('creates the gateway endpoint on the given route table', () => {
    const fix = gatewayEndpointFix(net(factsWith(() => {})), 's3', IDS.privateRt);
    expect(fix.steps.map((s) => s.key)).toEqual(['endpoint-create:s3']);
    expect(fix.commands).toEqual([
      `aws ec2 create-vpc-endpoint --vpc-id ${IDS.vpc} --vpc-endpoint-type Gateway --service-name com.amazonaws.${IDS.region}.s3 --route-table-ids ${IDS.privateRt} --region ${IDS.region}`,
    ]);
    expect(fix.steps[0]!.text.en).toMatch(/of type Gateway, VPC .*\(gateway endpoints are free\)$/);
  });
});
