import { t } from '../lang.js';
import { aws } from './lib/cli.js';
import { need, type Check } from './types.js';

/** The instance exists in the region and is running: the agent only talks to Systems Manager from a running instance. */
export const instanceState: Check = {
  id: 'instance-state',
  severity: 'critical',
  title: t('The instance exists and is running', 'インスタンスが存在し、実行中である'),
  evaluate({ facts, instanceId, region }) {
    const instance = need(facts.instances[instanceId]);
    if (instance === null) {
      return {
        status: 'fail',
        message: t(
          `no such instance in ${region}: check the id and the region (--region)`,
          `${region} にこのインスタンスはありません。ID とリージョン (--region) を確認してください`,
        ),
        fix: {
          steps: [
            {
              key: 'instance-region',
              text: t(
                'EC2 → Instances: find the instance and note its Region (top right of the console); run ssm-doctor again with --region set to it',
                '「EC2」→「インスタンス」でインスタンスを探し、リージョン (コンソール右上) を確認して、そのリージョンを --region に指定して再実行します',
              ),
            },
          ],
          commands: [],
        },
      };
    }
    const id = instance.instanceId;
    switch (instance.state) {
      case 'running':
        return { status: 'pass', message: t(`${id} is running`, `${id} は実行中です`) };
      case 'pending':
        return {
          status: 'fail',
          message: t(`${id} is still starting (pending)`, `${id} は起動中 (pending) です`),
          fix: {
            steps: [{ key: 'instance-wait', text: t('Wait a minute until the instance is running, then check again', 'インスタンスが「実行中」になるまで待ってから、再度確認します') }],
            commands: [aws(region, 'ec2', 'wait', 'instance-running', '--instance-ids', id)],
          },
        };
      case 'stopped':
      case 'stopping':
        return {
          status: 'fail',
          message: t(`${id} is ${instance.state}: Session Manager needs a running instance`, `${id} は ${instance.state} です。Session Manager には実行中のインスタンスが必要です`),
          fix: {
            steps: [
              {
                key: 'instance-start',
                text: t(
                  `EC2 → Instances → select ${id} → Instance state → Start instance`,
                  `「EC2」→「インスタンス」→ ${id} を選択 →「インスタンスの状態」→「インスタンスを開始」`,
                ),
              },
            ],
            commands: [aws(region, 'ec2', 'start-instances', '--instance-ids', id)],
          },
        };
      default:
        return {
          status: 'fail',
          message: t(
            `${id} is ${instance.state}: a terminated instance cannot be started again`,
            `${id} は ${instance.state} です。終了したインスタンスは再開できません`,
          ),
          fix: {
            steps: [
              {
                key: 'instance-launch',
                text: t(
                  'EC2 → Instances → Launch instances: launch a replacement in the private subnet, without a key pair, with a security group that has no inbound rules',
                  '「EC2」→「インスタンス」→「インスタンスを起動」で、プライベートサブネットに、キーペアなし・インバウンドルールなしのセキュリティグループで代わりのインスタンスを起動します',
                ),
              },
            ],
            commands: [],
          },
        };
    }
  },
};
