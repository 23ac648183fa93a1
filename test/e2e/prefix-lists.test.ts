import * as EC2 from '@aws-sdk/client-ec2';
import { check, parseStats, statuses } from './helpers/cli';
import { diagnose, unknownChecks } from './helpers/expect';
import { REGION } from './helpers/scenarios';
import { useE2E } from './helpers/suite';

// An endpoint security group that admits HTTPS only from a managed prefix list: the tool reads the
// list's entries (ec2:GetManagedPrefixListEntries, moto) and decides, instead of saying unknown.

const e2e = useE2E();

async function admitFromPrefixList(endpointSg: string, cidrs: string[]): Promise<string> {
  const ec2 = new EC2.EC2Client({
    region: REGION,
    endpoint: e2e.moto.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    const pl = await ec2.send(
      new EC2.CreateManagedPrefixListCommand({
        PrefixListName: 'corp-clients',
        AddressFamily: 'IPv4',
        MaxEntries: 10,
        Entries: cidrs.map((Cidr) => ({ Cidr })),
      }),
    );
    const id = pl.PrefixList!.PrefixListId!;
    await ec2.send(
      new EC2.AuthorizeSecurityGroupIngressCommand({
        GroupId: endpointSg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: id }] }],
      }),
    );
    return id;
  } finally {
    ec2.destroy();
  }
}

describe('prefix lists in endpoint security groups', () => {
  it('a list that holds the instance admits it: endpoint-sg-https passes, the entries read once', async () => {
    const w = await e2e.scenarios.build({ endpoints: { https: false } });
    const id = w.instance.instanceId;
    const pl = await admitFromPrefixList(w.endpointSg!, ['192.168.0.0/16', `${w.instance.privateIp}/32`]);
    const r = await diagnose(e2e, [id], ['--stats']);
    expect(statuses(r.report, id)['endpoint-sg-https']).toBe('pass');
    expect(check(r.report, id, 'endpoint-sg-https').message).toContain(pl);
    expect(unknownChecks(statuses(r.report, id))).toEqual([]);
    expect(parseStats(r.stderr).byOperation['ec2:GetManagedPrefixListEntries']).toBe(1);
  });

  it('a list that does not hold the instance fails, naming the list, with the ingress fix', async () => {
    const w = await e2e.scenarios.build({ endpoints: { https: false } });
    const id = w.instance.instanceId;
    const pl = await admitFromPrefixList(w.endpointSg!, ['192.168.0.0/16']);
    const r = await diagnose(e2e, [id]);
    expect(statuses(r.report, id)['endpoint-sg-https']).toBe('fail');
    expect(check(r.report, id, 'endpoint-sg-https').message).toContain(`only from ${pl}`);
    expect(r.code).toBe(2);
  });
});
