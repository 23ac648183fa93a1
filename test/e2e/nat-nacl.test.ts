import { check, statuses } from './helpers/cli';
import { commandsOf, diagnose } from './helpers/expect';
import type { NaclRule } from './helpers/scenarios';
import { useE2E } from './helpers/suite';

// On a NAT path the NAT gateway's own subnet has a network ACL too: it must admit the instance's
// TCP 443 in, let it on to the internet, take the replies back on 1024-65535 and pass them on to
// the instance (moto: a custom ACL on the NAT gateway's public subnet).

const e2e = useE2E();
const ALLOW_ALL: NaclRule = { rule: 100, action: 'allow', protocol: 'all' };

describe("the NAT gateway subnet's network ACL", () => {
  it('all allowed: network-acl passes, naming both ACLs', async () => {
    const w = await e2e.scenarios.build({ nat: true, nacl: { subnet: 'public', inbound: [ALLOW_ALL], outbound: [ALLOW_ALL] } });
    const id = w.instance.instanceId;
    const r = await diagnose(e2e, [id]);
    expect(statuses(r.report, id)['network-acl']).toBe('pass');
    expect(check(r.report, id, 'network-acl').message).toContain(w.naclId!);
  });

  it("replies from the internet not admitted on 1024-65535: fail, naming the NAT subnet's ACL, with the entry to add", async () => {
    const w = await e2e.scenarios.build({
      nat: true,
      nacl: {
        subnet: 'public',
        inbound: [{ rule: 100, action: 'allow', protocol: 'all', cidr: '10.0.0.0/8' }],
        outbound: [ALLOW_ALL],
      },
    });
    const id = w.instance.instanceId;
    const r = await diagnose(e2e, [id]);
    expect(statuses(r.report, id)['network-acl']).toBe('fail');
    expect(check(r.report, id, 'network-acl').message).toMatch(
      new RegExp(`${w.naclId} \\(${w.subnets.public}\\): no rule allows inbound TCP 1024-65535 from the internet`),
    );
    expect(commandsOf(r.report, id, 'network-acl').join('\n')).toMatch(
      new RegExp(
        `aws ec2 create-network-acl-entry --network-acl-id ${w.naclId} .*--port-range From=1024,To=65535 --ingress --cidr-block 0\\.0\\.0\\.0/0`,
      ),
    );
    expect(r.code).toBe(2);
  });
});
