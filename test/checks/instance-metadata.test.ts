import { checkCases } from '../helpers/check-tester';
import { IDS, factsWith, instanceOf } from '../helpers/facts';
import { known, type Facts } from '../../src/facts/schema';

const R = `--region ${IDS.region}`;
const MODIFY = `^aws ec2 modify-instance-metadata-options --instance-id ${IDS.instance}`;
const md = (patch: object) => (f: Facts) => void Object.assign(instanceOf(f).metadata!, patch);
const onDhmc = (f: Facts) => {
  instanceOf(f).instanceProfileArn = null;
  f.dhmc = known({ roleName: 'service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole' });
};

checkCases('instance-metadata', [
  {
    name: 'IMDS enabled passes with its settings',
    facts: factsWith(() => {}),
    status: 'pass',
    message: /^i-0123456789abcdef0 has the instance metadata service enabled \(HttpTokens required, hop limit 2\)$/,
    messageJa: /インスタンスメタデータサービスが有効です \(HttpTokens required、ホップ制限 2\)/,
  },
  {
    name: 'IMDS disabled fails, and the fix turns it on with IMDSv2 required',
    facts: factsWith(md({ httpEndpoint: 'disabled', httpTokens: 'optional' })),
    status: 'fail',
    message:
      /^i-0123456789abcdef0 has the instance metadata service turned off \(HttpEndpoint disabled\): the agent cannot read its region, instance id or role credentials$/,
    messageJa: /インスタンスメタデータサービスが無効 \(HttpEndpoint disabled\) です/,
    commands: [new RegExp(`${MODIFY} --http-endpoint enabled --http-tokens required ${R}$`)],
    verify: (r) => {
      expect(r.fix!.steps[0]?.text.en).toBe(
        'EC2 → Instances → select i-0123456789abcdef0 → Actions → Instance settings → Modify instance metadata options: Instance metadata service: Enable; IMDSv2: Required → Save',
      );
      expect(r.fix!.steps[0]?.text.ja).toMatch(
        /^「EC2」→「インスタンス」→ i-0123456789abcdef0 を選択 →「アクション」→「インスタンスの設定」→「インスタンスメタデータオプションの変更」で「インスタンスメタデータサービス」を「有効化」/,
      );
    },
  },
  {
    name: 'IMDS disabled on an instance that relies on DHMC says DHMC cannot identify it',
    facts: factsWith((f) => {
      onDhmc(f);
      md({ httpEndpoint: 'disabled' })(f);
    }),
    status: 'fail',
    message: /and Default Host Management Configuration cannot identify the instance$/,
    commands: [new RegExp(`${MODIFY} --http-endpoint enabled ${R}$`)],
  },
  {
    name: 'DHMC with HttpTokens optional passes and mentions IMDSv2',
    facts: factsWith((f) => {
      onDhmc(f);
      md({ httpTokens: 'optional' })(f);
    }),
    status: 'pass',
    message:
      /relies on Default Host Management Configuration, which needs IMDSv2: HttpTokens optional still serves IMDSv2, and AWS recommends required$/,
    messageJa: /IMDSv2 が必要な Default Host Management Configuration/,
  },
  {
    name: 'hop limit 1 on an EKS node warns and raises the limit to 2',
    facts: factsWith((f) => {
      instanceOf(f).tags = { 'eks:cluster-name': 'prod', Name: 'node' };
      md({ hopLimit: 1 })(f);
    }),
    status: 'warn',
    message: /hop limit 1\), and its tag eks:cluster-name=prod suggests containers/,
    messageJa: /tag eks:cluster-name=prod からコンテナを使うホスト/,
    commands: [new RegExp(`${MODIFY} --http-put-response-hop-limit 2 ${R}$`)],
  },
  {
    name: 'hop limit 1 on Bottlerocket (platform) warns',
    facts: factsWith((f) => {
      if (f.managedInstances.known) f.managedInstances.value[IDS.instance]!.platformName = 'Bottlerocket';
      md({ hopLimit: 1 })(f);
    }),
    status: 'warn',
    message: /platform Bottlerocket suggests containers/,
  },
  {
    name: 'hop limit 1 on a kubernetes.io/cluster/* tagged node warns',
    facts: factsWith((f) => {
      instanceOf(f).tags = { 'kubernetes.io/cluster/prod': 'owned' };
      md({ hopLimit: 1 })(f);
    }),
    status: 'warn',
    message: /tag kubernetes\.io\/cluster\/prod=owned/,
  },
  {
    name: 'hop limit 1 with no sign of containers passes',
    facts: factsWith((f) => {
      instanceOf(f).tags = { Name: 'web' };
      md({ hopLimit: 1 })(f);
    }),
    status: 'pass',
    message: /hop limit 1\)$/,
  },
  {
    name: 'IMDS disabled on a container host also raises the hop limit',
    facts: factsWith((f) => {
      instanceOf(f).tags = { AmazonECSManaged: '' };
      md({ httpEndpoint: 'disabled', hopLimit: 1 })(f);
    }),
    status: 'fail',
    commands: [new RegExp(`${MODIFY} --http-endpoint enabled --http-put-response-hop-limit 2 ${R}$`)],
  },
  {
    name: 'IMDSv2 required with a 2.x agent that is not Online warns (heuristic)',
    facts: factsWith((f) => {
      if (f.managedInstances.known)
        Object.assign(f.managedInstances.value[IDS.instance]!, { agentVersion: '2.3.1319.0', pingStatus: 'ConnectionLost' });
    }),
    status: 'warn',
    message: /agent 2\.3\.1319\.0 is older than 3\.0.*\(a heuristic\)/,
    commands: [new RegExp(`${MODIFY} --http-tokens optional ${R}$`)],
  },
  {
    name: 'metadata options missing from the facts is unknown',
    facts: factsWith((f) => void delete instanceOf(f).metadata),
    status: 'unknown',
    message: /^ec2:DescribeInstances failed \(NotCollected: MetadataOptions of i-0123456789abcdef0 are not in the facts\)$/,
  },
  {
    name: 'skips when the instance does not exist',
    facts: factsWith((f) => void (f.instances[IDS.instance] = known(null))),
    status: 'skip',
  },
]);
