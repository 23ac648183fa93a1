import { checkCases } from '../helpers/check-tester';
import { IDS, denied, factsWith, instanceOf } from '../helpers/facts';
import { known } from '../../src/facts/schema';

checkCases('instance-state', [
  { name: 'running instance passes', facts: factsWith(() => {}), status: 'pass', message: /is running/ },
  {
    name: 'stopped instance fails with start-instances',
    facts: factsWith((f) => void (instanceOf(f).state = 'stopped')),
    status: 'fail',
    message: /stopped/,
    commands: [new RegExp(`^aws ec2 start-instances --instance-ids ${IDS.instance} --region ${IDS.region}$`)],
  },
  {
    name: 'pending instance fails with a wait',
    facts: factsWith((f) => void (instanceOf(f).state = 'pending')),
    status: 'fail',
    commands: [/aws ec2 wait instance-running/],
  },
  {
    name: 'unknown id fails with a region hint',
    facts: factsWith((f) => void (f.instances[IDS.instance] = known(null))),
    status: 'fail',
    message: /no such instance in ap-northeast-1.*--region/,
  },
  {
    name: 'terminated instance fails and cannot be started',
    facts: factsWith((f) => {
      const i = instanceOf(f);
      f.instances[IDS.instance] = known({ ...i, state: 'terminated', vpcId: undefined, subnetId: undefined });
    }),
    status: 'fail',
    message: /terminated/,
    commands: [],
  },
  {
    name: 'denied DescribeInstances is unknown and names the call',
    facts: factsWith((f) => void (f.instances[IDS.instance] = denied('ec2:DescribeInstances', 'UnauthorizedOperation'))),
    status: 'unknown',
    message: /ec2:DescribeInstances was denied \(UnauthorizedOperation\)/,
  },
]);
