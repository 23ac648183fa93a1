/**
 * What the SSM Agent calls with the instance's credentials, by the endpoint it calls: the session
 * part of AmazonSSMManagedInstanceCore, and ec2messages, the legacy Run Command channel that agents
 * before 3.3.40.0 and Windows Server 2012 and earlier still poll. One list for the collector's
 * simulation and for the checks that judge roles and endpoint policies.
 */
export const AGENT_ACTIONS_BY_SERVICE = {
  ssm: ['ssm:UpdateInstanceInformation'],
  ssmmessages: [
    'ssmmessages:CreateControlChannel',
    'ssmmessages:CreateDataChannel',
    'ssmmessages:OpenControlChannel',
    'ssmmessages:OpenDataChannel',
  ],
  ec2messages: [
    'ec2messages:AcknowledgeMessage',
    'ec2messages:DeleteMessage',
    'ec2messages:FailMessage',
    'ec2messages:GetEndpoint',
    'ec2messages:GetMessages',
    'ec2messages:SendReply',
  ],
} as const satisfies Record<'ssm' | 'ssmmessages' | 'ec2messages', readonly string[]>;

/** What a session cannot do without: registration on ssm and the ssmmessages channels. */
export const SESSION_ACTIONS: readonly string[] = [...AGENT_ACTIONS_BY_SERVICE.ssm, ...AGENT_ACTIONS_BY_SERVICE.ssmmessages];

/** What the agent needs for a session (the core of AmazonSSMManagedInstanceCore). */
export const REQUIRED_ACTIONS = SESSION_ACTIONS;

/** The legacy Run Command channel's actions. */
export const EC2MESSAGES_ACTIONS: readonly string[] = AGENT_ACTIONS_BY_SERVICE.ec2messages;

/** Every action the agent calls, sessions first. */
export const AGENT_ACTIONS: readonly string[] = [...SESSION_ACTIONS, ...EC2MESSAGES_ACTIONS];
