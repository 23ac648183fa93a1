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
  status: overallStatusSchema,
  checks: z.array(checkReportSchema).describe('every check, always in the same order'),
  plan: fixSchema.optional().describe('the fixes of all failing and warning checks as one plan, in order, each step once'),
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
  instances: z.array(instanceReportSchema),
});

export type CheckReport = z.infer<typeof checkReportSchema>;
export type InstanceReport = z.infer<typeof instanceReportSchema>;
export type Report = z.infer<typeof reportSchema>;
export type Summary = NonNullable<Report['summary']>;
export type OverallStatus = z.infer<typeof overallStatusSchema>;
