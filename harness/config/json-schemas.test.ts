import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemaFiles } from './json-schemas.ts';

const dir = fileURLToPath(new URL('../../schemas/', import.meta.url));
const generated = jsonSchemaFiles();

test('the committed schemas/*.schema.json are the ones the config schemas generate (else run npm run schemas)', (t) => {
  t.deepEqual(readdirSync(dir).sort(), Object.keys(generated).sort(), 'schemas/ holds exactly the generated files');
  for (const [name, text] of Object.entries(generated)) {
    t.is(readFileSync(`${dir}${name}`, 'utf8'), text, `schemas/${name} is stale: run npm run schemas and commit it`);
  }
});

test('the JSON Schemas accept "$schema" and refuse unknown keys, as the readers do', (t) => {
  for (const text of Object.values(generated)) {
    const schema = JSON.parse(text) as { properties: Record<string, unknown>; additionalProperties: boolean };
    t.truthy(schema.properties.$schema);
    t.false(schema.additionalProperties);
  }
  const vm = JSON.parse(generated['vm-config.schema.json']!) as { required: string[]; properties: Record<string, { default?: unknown }> };
  t.deepEqual(vm.required.sort(), ['arch', 'depth', 'description', 'disk', 'firmware', 'machine', 'qemu']);
  t.is(vm.properties.memoryMiB?.default, 512, 'an editor shows the default the reader fills in');
});

test('each built-in vm-config and profile names its schema by a relative path that exists', (t) => {
  const files = [
    ...readdirSync(fileURLToPath(new URL('../../vm-configs/', import.meta.url))).map((f) => new URL(`../../vm-configs/${f}`, import.meta.url)),
    ...readdirSync(fileURLToPath(new URL('./profiles/', import.meta.url))).map((f) => new URL(`./profiles/${f}`, import.meta.url)),
  ];
  for (const file of files) {
    const { $schema } = JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string };
    t.true($schema !== undefined && existsSync(new URL($schema, file)), `${fileURLToPath(file)} names ${$schema}`);
  }
});
