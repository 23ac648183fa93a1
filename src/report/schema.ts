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
  title: z.string(),
  status: checkStatusSchema,
  severity: z.enum(['critical', 'warning']),
  message: z.string(),
  fix: fixSchema.optional().describe('present on fail and warn'),
});

export const instanceReportSchema = z.object({
  instanceId: z.string(),
  status: overallStatusSchema,
  checks: z.array(checkReportSchema).describe('every check, always in the same order'),
  plan: fixSchema
    .optional()
    .describe('the fixes of all failing and warning checks as one plan, in order, each step once'),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('ssm-doctor'), version: z.string() }),
  region: z.string(),
  status: overallStatusSchema,
  instances: z.array(instanceReportSchema),
});

export type CheckReport = z.infer<typeof checkReportSchema>;
export type InstanceReport = z.infer<typeof instanceReportSchema>;
export type Report = z.infer<typeof reportSchema>;
export type OverallStatus = z.infer<typeof overallStatusSchema>;
