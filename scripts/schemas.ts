// npm run schemas: writes schemas/*.schema.json from the config files' zod schemas (commit them; a unit test checks they are current).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemaFiles } from '../harness/config/json-schemas.ts';

const dir = fileURLToPath(new URL('../schemas/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(jsonSchemaFiles())) {
  writeFileSync(`${dir}${name}`, text);
  console.log(`schemas/${name}`);
}
