import { z } from 'zod';
import { factsSchema } from '../facts/schema.js';
import { reportSchema } from '../report/schema.js';

/** The published JSON Schemas, generated from the same zod schemas the tool validates with. */
export function jsonSchemas(): Record<string, object> {
  return {
    'report.schema.json': {
      $id: 'urn:ssm-doctor:schema:report:1',
      title: 'ssm-doctor --output json (schemaVersion 1)',
      // Open objects: consumers must accept fields that later versions add.
      ...z.toJSONSchema(reportSchema, { io: 'input' }),
    },
    'facts.schema.json': {
      $id: 'urn:ssm-doctor:schema:facts:1',
      title: 'ssm-doctor facts file (--facts, --save-facts; factsVersion 1)',
      ...z.toJSONSchema(factsSchema),
    },
  };
}
