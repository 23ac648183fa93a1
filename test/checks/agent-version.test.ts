import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, instanceOf } from '../helpers/facts';
import { known, type Facts } from '../../src/facts/schema';

const UPDATE = new RegExp(
  `^aws ssm send-command --instance-ids ${IDS.instance} --document-name AWS-UpdateSSMAgent --region ${IDS.region}$`,
);
const agent = (patch: object) => (f: Facts) => {
  if (f.managedInstances.known) Object.assign(f.managedInstances.value[IDS.instance]!, patch);
};
const prefs = (patch: object) => (f: Facts) =>
  void (f.sessionPreferences = known({ documentName: 'SSM-SessionManagerRunShell', ...patch }));

checkCases('agent-version', [
  {
    name: 'a current agent passes',
    facts: factsWith(() => {}),
    status: 'pass',
    message: /^i-0123456789abcdef0 runs SSM Agent 3\.3\.1802\.0$/,
    messageJa: /SSM Agent は 3\.3\.1802\.0 です/,
  },
  {
    name: 'below 3.3.40.0: still needs ec2messages, which AWS is retiring',
    facts: factsWith(agent({ agentVersion: '3.2.1705.0' })),
    status: 'warn',
    message: /^i-0123456789abcdef0 runs SSM Agent 3\.2\.1705\.0: agents before 3\.3\.40\.0 still need ec2messages, which AWS is retiring$/,
    messageJa: /廃止を予定している ec2messages/,
    commands: [UPDATE],
    verify: (r) => {
      expect(r.fix!.steps[0]?.key).toBe('agent-update');
      expect(r.fix!.steps[0]?.text.en).toMatch(
        /Systems Manager → Run Command → Run command → AWS-UpdateSSMAgent → Targets: Choose instances manually → i-0123456789abcdef0 → Run/,
      );
      expect(r.fix!.steps[0]?.text.ja).toMatch(/「Systems Manager」→「Run Command」→「コマンドを実行」→「AWS-UpdateSSMAgent」/);
    },
  },
  {
    name: 'between 3.3.40.0 and 3.3.987.0: years behind',
    facts: factsWith(agent({ agentVersion: '3.3.551.0' })),
    status: 'warn',
    message: /runs SSM Agent 3\.3\.551\.0: it is older than 3\.3\.987\.0 \(October 2024\): years of fixes behind$/,
    commands: [UPDATE],
  },
  {
    name: 'versions compare numerically, not as text (3.3.1000.0 > 3.3.987.0)',
    facts: factsWith(agent({ agentVersion: '3.3.1000.0' })),
    status: 'pass',
  },
  {
    name: 'below the KMS minimum while KMS encryption is on names the feature in use',
    facts: factsWith((f) => {
      agent({ agentVersion: '2.3.444.0' })(f);
      prefs({ kmsKeyId: 'alias/session' })(f);
    }),
    status: 'warn',
    message:
      /it is below the minimum for KMS session encryption \(2\.3\.539\.0\), which is in use; it cannot do port forwarding and SSH over Session Manager \(3\.0\.222\.0\), .*; agents before 3\.3\.40\.0/,
    messageJa: /使用中の KMS によるセッションの暗号化 \(2\.3\.539\.0\) に必要な最小バージョンを下回っています/,
  },
  {
    name: 'below the CloudWatch streaming minimum with streaming on',
    facts: factsWith((f) => {
      agent({ agentVersion: '3.0.222.0' })(f);
      prefs({ cloudWatchLogGroupName: '/ssm/sessions', cloudWatchStreamingEnabled: true })(f);
    }),
    status: 'warn',
    message: /below the minimum for CloudWatch Logs streaming of sessions \(3\.0\.284\.0\), which is in use/,
  },
  {
    name: 'below the DHMC minimum on an instance that relies on DHMC',
    facts: factsWith((f) => {
      agent({ agentVersion: '3.1.1080.0' })(f);
      instanceOf(f).instanceProfileArn = null;
      f.dhmc = known({ roleName: 'DhmcRole' });
    }),
    status: 'warn',
    message: /below the minimum for Default Host Management Configuration \(3\.2\.582\.0\), which is in use/,
  },
  {
    name: 'an old agent on Ubuntu that is not Online: no Run Command, snap refresh named',
    facts: factsWith(agent({ agentVersion: '3.2.1705.0', pingStatus: 'ConnectionLost', platformName: 'Ubuntu' })),
    status: 'warn',
    commands: [],
    verify: (r) => {
      expect(r.fix!.steps[0]?.text.en).toMatch(/once it is Online again.*sudo snap refresh amazon-ssm-agent/);
      expect(r.fix!.steps[0]?.text.ja).toMatch(/snap 版の Ubuntu/);
    },
  },
  {
    name: 'not registered: skip',
    facts: factsWith((f) => {
      if (f.managedInstances.known) delete f.managedInstances.value[IDS.instance];
    }),
    status: 'skip',
    message: /is not registered with Systems Manager/,
  },
  {
    name: 'a version that is not numeric: skip, saying so',
    facts: factsWith(agent({ agentVersion: 'latest' })),
    status: 'skip',
    message: /no comparable agent version .*\(latest\)/,
  },
  {
    name: 'a denied DescribeInstanceInformation is unknown naming the call',
    facts: factsWith((f) => void (f.managedInstances = denied('ssm:DescribeInstanceInformation', 'AccessDeniedException'))),
    status: 'unknown',
    message: /ssm:DescribeInstanceInformation was denied/,
  },
]);
