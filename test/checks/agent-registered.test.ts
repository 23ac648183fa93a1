import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, instanceOf, vpcOf } from '../helpers/facts';
import { known, type Facts } from '../../src/facts/schema';
import { evaluateInstance } from '../../src/engine';
import { plan } from '../../src/report/build';
import { at } from '../helpers/only';

const REBOOT = new RegExp(`^aws ec2 reboot-instances --instance-ids ${IDS.instance} --region ${IDS.region}$`);
const unregister = (f: Facts) => {
  if (f.managedInstances.known) delete f.managedInstances.value[IDS.instance];
};
const ping = (pingStatus: string) => (f: Facts) => {
  if (f.managedInstances.known) f.managedInstances.value[IDS.instance]!.pingStatus = pingStatus;
};
/** iam-instance-profile fails: no profile and no DHMC. */
const noRole = (f: Facts) => {
  instanceOf(f).instanceProfileArn = null;
  f.dhmc = known({ roleName: null });
};
const keys = (keysWanted: string[]) => (r: { fix?: { steps: { key: string }[] } }) =>
  expect(r.fix!.steps.map((s) => s.key)).toEqual(keysWanted);

checkCases('agent-registered', [
  {
    name: 'Online passes with version, platform and last ping',
    facts: factsWith(() => {}),
    status: 'pass',
    message: new RegExp(
      `^${IDS.instance} is Online: agent 3\\.3\\.1802\\.0 on Amazon Linux 2023, last ping 2026-11-28T10:00:00\\.000Z, and its session channel is connected \\(ssm:GetConnectionStatus\\)$`,
    ),
    messageJa: /オンラインです \(エージェント 3\.3\.1802\.0、Amazon Linux 2023、最終 ping 2026-11-28T10:00:00\.000Z\)/,
  },
  {
    name: 'not registered with nothing else failing: install or backoff, then reboot',
    facts: factsWith(unregister),
    status: 'fail',
    message: new RegExp(
      `${IDS.instance} is not registered with Systems Manager, although the other checks found no gap: the agent may not be installed`,
    ),
    messageJa:
      /Systems Manager に登録されていません。ほかのチェックでは問題が見つかっていないため、エージェントがインストールされていないか/,
    commands: [REBOOT],
    verify: (r) => {
      keys(['agent-install', 'agent-restart'])(r);
      expect(r.fix!.steps[0]?.text.en).toMatch(
        /RHEL, Debian, Rocky.*"Manually installing and uninstalling SSM Agent on EC2 instances for Linux"/,
      );
      const restart = at(r.fix!.steps, 1).text;
      expect(restart.en).toMatch(
        /^Reboot i-0123456789abcdef0 .*Instance state → Reboot instance.*up to about an hour.*sudo systemctl restart amazon-ssm-agent.*sudo snap restart amazon-ssm-agent/,
      );
      expect(restart.ja).toMatch(/「インスタンスの状態」→「インスタンスを再起動」.*最大で約 1 時間/);
      expect(restart.en).not.toMatch(/30 minutes/);
    },
  },
  {
    name: 'not registered on a RHEL AMI says this AMI lacks the agent',
    facts: factsWith((f) => {
      unregister(f);
      instanceOf(f).platformDetails = 'Red Hat Enterprise Linux';
    }),
    status: 'fail',
    verify: (r) => {
      expect(r.fix!.steps[0]?.text.en).toMatch(/^This instance runs RHEL, whose AMIs do not include SSM Agent/);
      expect(r.fix!.steps[0]?.text.ja).toMatch(/^このインスタンスは RHEL で/);
    },
  },
  {
    name: 'ConnectionLost fails naming the last heartbeat',
    facts: factsWith(ping('ConnectionLost')),
    status: 'fail',
    message:
      /is registered but there has been no heartbeat from its agent since 2026-11-28T10:00:00\.000Z \(ConnectionLost\).*stopped or hung/,
    messageJa: /2026-11-28T10:00:00\.000Z 以降エージェントからのハートビートがありません/,
    commands: [REBOOT],
    verify: keys(['agent-health', 'agent-restart']),
  },
  {
    name: 'Inactive fails',
    facts: factsWith(ping('Inactive')),
    status: 'fail',
    message: /is registered but Inactive/,
    messageJa: /非アクティブ \(Inactive\)/,
    commands: [REBOOT],
  },
  {
    name: 'with an earlier critical failure: expected, and one reboot step after the fixes',
    facts: factsWith((f) => {
      unregister(f);
      noRole(f);
    }),
    status: 'fail',
    message: /not registered with Systems Manager: expected until the failures above are fixed \(iam-instance-profile\)$/,
    messageJa: /上の失敗 \(iam-instance-profile\) を解決するまでは想定どおりの状態です/,
    commands: [REBOOT],
    verify: (r) => {
      keys(['agent-restart'])(r);
      expect(r.fix!.steps[0]?.text.en).toMatch(/^After the fixes above, reboot i-0123456789abcdef0 /);
      expect(r.fix!.steps[0]?.text.ja).toMatch(/^上の修正がすべて終わったら、i-0123456789abcdef0 を再起動します/);
    },
  },
  {
    name: 'Windows: the restart is Restart-Service',
    facts: factsWith((f) => {
      ping('ConnectionLost')(f);
      instanceOf(f).platform = 'windows';
      instanceOf(f).platformDetails = 'Windows';
    }),
    status: 'fail',
    verify: (r) => {
      const text = r.fix!.steps.at(-1)!.text;
      expect(text.en).toContain('Restart-Service AmazonSSMAgent');
      expect(text.en).not.toContain('systemctl');
    },
  },
  {
    name: 'an instance on DHMC is told about the 30 minutes',
    facts: factsWith((f) => {
      unregister(f);
      instanceOf(f).instanceProfileArn = null;
      f.dhmc = known({ roleName: 'DhmcRole' });
      f.roles.DhmcRole = {
        attachedPolicies: known([
          {
            policyName: 'AmazonSSMManagedEC2InstanceDefaultPolicy',
            policyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy',
          },
        ]),
        inlinePolicies: known([]),
        managedPolicyDocuments: {},
      };
    }),
    status: 'fail',
    verify: (r) => {
      expect(r.fix!.steps.at(-1)!.text.en).toMatch(/Default Host Management Configuration .*up to 30 minutes/);
      expect(r.fix!.steps.at(-1)!.text.ja).toMatch(/最大 30 分/);
    },
  },
  {
    name: 'a denied DescribeInstanceInformation is unknown naming the call',
    facts: factsWith((f) => void (f.managedInstances = denied('ssm:DescribeInstanceInformation', 'AccessDeniedException'))),
    status: 'unknown',
    message: /ssm:DescribeInstanceInformation was denied \(AccessDeniedException\)/,
  },
  {
    name: 'skips when the instance is stopped',
    facts: factsWith((f) => {
      unregister(f);
      instanceOf(f).state = 'stopped';
    }),
    status: 'skip',
    message: /needs instance-state to pass first/,
  },
]);

const notConnected = (f: Facts) => void (f.connections = { [IDS.instance]: known('notconnected') });
const consoleOut = (hasOutput: boolean, agentLines: string[]) => (f: Facts) =>
  void (f.consoleOutput = { [IDS.instance]: known({ hasOutput, agentLines }) });
/** endpoint-sg-https fails: the endpoint group no longer admits the instance. */
const closeEndpointSg = (f: Facts) => {
  const groups = vpcOf(f).securityGroups;
  if (groups.known) groups.value.find((g) => g.groupId === IDS.endpointSg)!.ingress = [];
};

checkCases('agent-registered', [
  {
    name: 'Online but notconnected, with iam-core-policy failing: fail, naming it',
    facts: factsWith((f) => {
      notConnected(f);
      const sim = f.roles[IDS.role]!.simulation;
      if (sim?.known) sim.value.find((r) => r.action === 'ssmmessages:OpenDataChannel')!.decision = 'implicitDeny';
    }),
    status: 'fail',
    message:
      /is Online: .*, but Systems Manager reports its session channel notconnected \(ssm:GetConnectionStatus\): the agent's ssmmessages control channel is down, so no session can open; iam-core-policy above says why/,
    messageJa: /notconnected と報告しています.*原因は上の iam-core-policy を参照してください/,
    commands: [REBOOT],
    verify: keys(['agent-restart']),
  },
  {
    name: 'Online but notconnected with nothing failing: a proxy or the channel backoff',
    facts: factsWith(notConnected),
    status: 'fail',
    message:
      /no check above explains it: look for a proxy or TLS inspection between i-0123456789abcdef0 and ssmmessages, or the channel is still in its retry backoff \(up to 40 minutes\)/,
    messageJa: /プロキシや TLS インスペクション/,
    commands: [REBOOT],
    verify: (r) => {
      keys(['agent-proxy', 'agent-restart'])(r);
      expect(r.fix!.steps[0]?.text.en).toMatch(/wss:\/\/\) traffic to ssmmessages\.ap-northeast-1\.amazonaws\.com/);
    },
  },
  {
    name: 'Online and connected while a static check fails: pass, saying something unseen is in play, the check keeps its verdict',
    facts: factsWith(closeEndpointSg),
    status: 'pass',
    message:
      /session channel is connected \(ssm:GetConnectionStatus\)\. Systems Manager sees it connected although endpoint-sg-https found a gap: something ssm-doctor cannot see is in play \(a proxy, centralised endpoints, or a connection made before the configuration changed\)\. Those checks keep their verdict/,
    messageJa: /endpoint-sg-https が問題を検出していますが、Systems Manager 上は接続済みです/,
    verify: () => {
      const facts = factsWith(closeEndpointSg);
      expect(evaluateInstance(facts, IDS.instance).find((r) => r.id === 'endpoint-sg-https')!.status).toBe('fail');
    },
  },
  {
    name: 'Online with GetConnectionStatus denied: pass, the channel state is not known',
    facts: factsWith((f) => void (f.connections = { [IDS.instance]: denied('ssm:GetConnectionStatus', 'AccessDeniedException') })),
    status: 'pass',
    message: /; whether its session channel is connected is not known \(ssm:GetConnectionStatus: AccessDeniedException\)$/,
  },
  {
    name: 'a failing session-preferences does not contradict an Online instance (it breaks sessions, not registration)',
    facts: factsWith((f) => void (f.sessionPreferences = known({ documentName: 'SSM-SessionManagerRunShell', kmsKeyId: 'alias/session' }))),
    status: 'pass',
    message: /is connected \(ssm:GetConnectionStatus\)$/,
    verify: () => {
      const facts = factsWith(
        (f) => void (f.sessionPreferences = known({ documentName: 'SSM-SessionManagerRunShell', kmsKeyId: 'alias/session' })),
      );
      expect(evaluateInstance(facts, IDS.instance).find((r) => r.id === 'session-preferences')!.status).toBe('fail');
    },
  },
  {
    name: 'ConnectionLost says how long before collection the last ping came',
    facts: factsWith((f) => {
      ping('ConnectionLost')(f);
      f.collectedAt = '2026-11-28T13:20:00.000Z';
    }),
    status: 'fail',
    message:
      /since 2026-11-28T10:00:00\.000Z \(ConnectionLost\), 3 h 20 min before these facts were collected, although the other checks found no gap/,
    messageJa: /最後の ping はファクト収集の 3 時間 20 分前です/,
  },
  {
    name: 'not registered, console output shows the agent: quoted',
    facts: factsWith((f) => {
      unregister(f);
      consoleOut(true, ['[  OK  ] Started amazon-ssm-agent.service - amazon-ssm-agent.'])(f);
    }),
    status: 'fail',
    message:
      /may not be installed, or is still waiting out its retry backoff after a recent fix; the console output shows the agent: "\[ {2}OK {2}\] Started amazon-ssm-agent\.service - amazon-ssm-agent\."$/,
    messageJa: /コンソール出力にはエージェントの記録があります/,
  },
  {
    name: 'not registered, console output without the agent: it may not be installed',
    facts: factsWith((f) => {
      unregister(f);
      consoleOut(true, [])(f);
    }),
    status: 'fail',
    message: /; no sign of the agent in the console output: it may not be installed$/,
    messageJa: /コンソール出力にエージェントの形跡がありません/,
  },
  {
    name: 'not registered with an earlier failure still quotes the console evidence',
    facts: factsWith((f) => {
      unregister(f);
      noRole(f);
      consoleOut(false, [])(f);
    }),
    status: 'fail',
    message: /expected until the failures above are fixed \(iam-instance-profile\); the console output is empty/,
  },
  {
    name: 'not registered with GetConsoleOutput denied says there is nothing to look at',
    facts: factsWith((f) => {
      unregister(f);
      f.consoleOutput = { [IDS.instance]: denied('ec2:GetConsoleOutput', 'UnauthorizedOperation') };
    }),
    status: 'fail',
    message: /\(no console output to look at: ec2:GetConsoleOutput UnauthorizedOperation\)$/,
  },
]);

describe('agent-registered in the plan', () => {
  it('puts the reboot step once, last, after the other fixes', () => {
    const facts = factsWith((f) => {
      unregister(f);
      noRole(f);
    });
    const p = plan(evaluateInstance(facts, IDS.instance), 'en');
    expect(p.steps.filter((s) => /reboot/i.test(s))).toHaveLength(1);
    expect(p.steps.at(-1)).toMatch(/^After the fixes above, reboot/);
    expect(p.steps[0]).toMatch(/^IAM → Roles → Create role/);
    expect(p.commands.at(-1)).toMatch(REBOOT);
  });
});
