export const TOOL_NAME = 'ssm-doctor' as const;
// Kept in step with package.json by test/version.test.ts; read without loading package.json at startup.
export const TOOL_VERSION = '0.1.0';
