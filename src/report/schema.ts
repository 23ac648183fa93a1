import { z } from 'zod';

/** The `--output json` document (schemaVersion 1). Additions only; nothing here is ever renamed. */
export const checkStatusSchema = z.enum(['pass', 'fail', 'warn', 'skip', 'unknown']);
export const overallStatusSchema = z.enum(['ok', 'warning', 'critical', 'unknown']);

export const fixSchema = z.object({
  steps: z.array(z.string()).describe('console steps, in the order of the guide'),
  commands: z.array(z.string()).describe('AWS CLI commands with the real ids filled in'),
});

export const checkReportSchema = z.object({
  id: z.string(),
  subject: z
    .literal('caller')
    .optional()
    .describe(
      'present on checks about whoever runs the tool (their IAM, their plugin): they count toward status only when callerCounts is true',
    ),
  title: z.string(),
  status: checkStatusSchema,
  severity: z.enum(['critical', 'warning']),
  cause: z.literal('denied').optional().describe('on unknown: a read was denied (AccessDenied and the like); waiting will not change it'),
  message: z.string(),
  fix: fixSchema.optional().describe('present on fail and warn'),
});

export const instanceReportSchema = z.object({
  instanceId: z.string(),
  region: z.string().optional().describe('the region the instance was diagnosed in'),
  account: z.string().optional().describe('the AWS account the instance belongs to (12 digits), when known'),
  name: z.string().optional().describe("the instance's Name tag, when it has one"),
  vpcId: z.string().optional().describe('the VPC of the instance, when known'),
  status: overallStatusSchema,
  checks: z.array(checkReportSchema).describe('every check, always in the same order'),
  plan: fixSchema.optional().describe('the fixes of all failing and warning checks as one plan, in order, each step once'),
});

export const groupSchema = z.object({
  status: overallStatusSchema.describe('the status every instance of the group has'),
  checks: z.array(z.string()).describe('the checks that decide that status, the same for every instance of the group, in check order'),
  account: z.string().optional(),
  region: z.string(),
  vpcId: z.string().optional().describe('the VPC the instances share, when known'),
  instances: z.array(z.string()).describe('the instance ids of the group, in report order'),
  message: z.string().describe("the first deciding check's message for the first instance of the group (for unknown: the reason)"),
  fix: z
    .object({
      keyStep: z.string().describe('the step that removes the cause (not a preparation such as creating a security group)'),
      steps: z
        .array(z.string())
        .describe("the steps of the deciding checks' fixes, each once, in order, worded for the first instance of the group"),
    })
    .optional()
    .describe('absent when the deciding checks have no fix (unknown)'),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('ssm-doctor'), version: z.string() }),
  region: z.string().describe('the region diagnosed; with several regions the first of them (each instance names its own)'),
  regions: z.array(z.string()).optional().describe('every region diagnosed, in the order given'),
  status: overallStatusSchema.describe(
    'the worst instance decides; unknown when no instance was selected, or when an account or region could not be read',
  ),
  callerCounts: z
    .boolean()
    .optional()
    .describe('true with --caller: the checks about whoever runs the tool count toward the statuses; false: they are reported apart'),
  skippedByChoice: z
    .array(z.string())
    .optional()
    .describe('the checks left out by --skip, --only or the config file (their status is skip)'),
  accounts: z.array(z.string()).optional().describe('with several profiles or --org-role: every account read, in the order given'),
  unread: z
    .array(
      z.object({
        account: z.string().optional(),
        profile: z.string().optional(),
        region: z.string().optional(),
        reason: z.string().describe('one line: why this account or region could not be read'),
      }),
    )
    .optional()
    .describe('with several profiles or --org-role: the accounts and regions that could not be read (the run is then UNKNOWN)'),
  summary: z
    .object({
      ok: z.number().int(),
      warning: z.number().int(),
      critical: z.number().int(),
      unknown: z.number().int(),
      mostCommonCause: z
        .object({ checkId: z.string(), instances: z.number().int() })
        .optional()
        .describe('the check that fails on the most instances'),
    })
    .optional()
    .describe('how many instances have each status'),
  groups: z
    .array(groupSchema)
    .optional()
    .describe('instances that share a root cause (two or more), worst first, then the largest; each with one fix for the group'),
  instances: z.array(instanceReportSchema),
});

export type CheckReport = z.infer<typeof checkReportSchema>;
export type InstanceReport = z.infer<typeof instanceReportSchema>;
export type Report = z.infer<typeof reportSchema>;
export type Group = z.infer<typeof groupSchema>;
export type Summary = NonNullable<Report['summary']>;
export type OverallStatus = z.infer<typeof overallStatusSchema>;
