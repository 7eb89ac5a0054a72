/** `npm run schema`: writes scenarios/schema.json from the zod schema. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchemaText } from './json-schema.ts';

const schemaPath = fileURLToPath(new URL('../../scenarios/schema.json', import.meta.url));

writeFileSync(schemaPath, scenarioJsonSchemaText());
console.log(`wrote ${schemaPath}`);
