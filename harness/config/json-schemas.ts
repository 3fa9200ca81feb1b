// The JSON Schema of each file users write, generated from its zod schema (npm run schemas writes them to schemas/),
// so an editor completes and checks a file whose "$schema" names one.
import { z } from 'zod';
import { vmConfigSchema } from './vm-config.ts';
import { profileSchema } from './profile.ts';
import { knownFailuresSchema } from './known-failures.ts';
import { userConfigSchema, userConfigName } from './user-folder.ts';

const files = {
  'vm-config.schema.json': { schema: vmConfigSchema, title: 'bootproof vm-config', description: 'One emulated machine: vm-configs/<machine>.json' },
  'profile.schema.json': { schema: profileSchema, title: 'bootproof target profile', description: 'What differs between targets (prompts, keys, commands): profiles/<name>.json' },
  'known-failures.schema.json': { schema: knownFailuresSchema, title: 'bootproof known failures', description: 'Failures a team expects, reported apart from new ones: known-failures.json' },
  'bootproof-config.schema.json': { schema: userConfigSchema, title: 'bootproof config', description: `The folders bootproof reads instead of the conventional ones: ${userConfigName}` },
};

/** The schema files by name, as their text (draft-07, which editors read). */
export function jsonSchemaFiles(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([name, { schema, title, description }]) => {
      const { $schema, ...json } = z.toJSONSchema(schema, { io: 'input', target: 'draft-7' });
      return [name, JSON.stringify({ $schema, title, description, ...json }, null, 2) + '\n'];
    }),
  );
}
