import { defineMessages } from '../lang.js';
import { aws } from './lib/cli.js';
import { CONSOLE, consolePath } from './lib/glossary.js';
import { need, type Check, type Finding } from './types.js';

const instances = consolePath('ec2', 'instances');

const M = defineMessages({
  title: { en: 'The instance exists and is running', ja: 'インスタンスが存在し、実行中である' },
  noInstance: {
    en: 'no such instance in {region}: check the id and the region (--region)',
    ja: '{region} にこのインスタンスはありません。ID とリージョン (--region) を確認してください',
  },
  stepRegion: {
    en: `${instances.en}: find the instance and note its Region (top right of the console); run ssm-doctor again with --region set to it`,
    ja: `${instances.ja}でインスタンスを探し、リージョン (コンソール右上) を確認して、そのリージョンを --region に指定して再実行します`,
  },
  running: { en: '{id} is running', ja: '{id} は実行中です' },
  pending: { en: '{id} is still starting (pending)', ja: '{id} は起動中 (pending) です' },
  stepWait: {
    en: 'Wait a minute until the instance is running, then check again',
    ja: 'インスタンスが「実行中」になるまで待ってから、再度確認します',
  },
  stopped: {
    en: '{id} is {state}: Session Manager needs a running instance',
    ja: '{id} は {state} です。Session Manager には実行中のインスタンスが必要です',
  },
  stepStart: {
    en: `${instances.en} → select {id} → ${CONSOLE.instanceState.en} → ${CONSOLE.startInstance.en}`,
    ja: `${instances.ja}→ {id} を選択 →「${CONSOLE.instanceState.ja}」→「${CONSOLE.startInstance.ja}」`,
  },
  terminated: {
    en: '{id} is {state}: a terminated instance cannot be started again',
    ja: '{id} は {state} です。終了したインスタンスは再開できません',
  },
  stepLaunch: {
    en: `${instances.en} → ${CONSOLE.launchInstances.en}: launch a replacement in the private subnet, without a key pair, with a security group that has no inbound rules`,
    ja: `${instances.ja}→「${CONSOLE.launchInstances.ja}」で、プライベートサブネットに、キーペアなし・インバウンドルールなしのセキュリティグループで代わりのインスタンスを起動します`,
  },
});

/** The verdict on an instance that exists, by its state. */
function byState(region: string, id: string, state: string): Finding {
  switch (state) {
    case 'running':
      return { status: 'pass', message: M('running', { id }) };
    case 'pending':
      return {
        status: 'fail',
        message: M('pending', { id }),
        fix: {
          steps: [{ key: 'instance-wait', text: M('stepWait') }],
          commands: [aws(region, 'ec2', 'wait', 'instance-running', '--instance-ids', id)],
        },
      };
    case 'stopped':
    case 'stopping':
      return {
        status: 'fail',
        message: M('stopped', { id, state }),
        fix: {
          steps: [{ key: 'instance-start', text: M('stepStart', { id }) }],
          commands: [aws(region, 'ec2', 'start-instances', '--instance-ids', id)],
        },
      };
    default:
      return {
        status: 'fail',
        message: M('terminated', { id, state }),
        fix: { steps: [{ key: 'instance-launch', text: M('stepLaunch') }], commands: [] },
      };
  }
}

/** The instance exists in the region and is running: the agent only talks to Systems Manager from a running instance. */
export const instanceState: Check = {
  id: 'instance-state',
  severity: 'critical',
  title: M('title'),
  messages: M.table,
  evaluate({ facts, instanceId, region }) {
    const instance = need(facts.instances[instanceId]);
    if (instance === null) {
      return {
        status: 'fail',
        message: M('noInstance', { region }),
        fix: { steps: [{ key: 'instance-region', text: M('stepRegion') }], commands: [] },
      };
    }
    return byState(region, instance.instanceId, instance.state);
  },
};
