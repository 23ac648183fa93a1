import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemas } from '../src/tools/schemas';

test.each(Object.entries(jsonSchemas()))('committed schema/%s matches the zod schema (run npm run schema)', (name, schema) => {
  const committed = JSON.parse(readFileSync(join(__dirname, '..', 'schema', name), 'utf8'));
  expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
});
