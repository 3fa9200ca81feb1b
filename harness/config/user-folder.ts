// The user's folder: the one bootproof runs in, whose vm-configs/, scenarios/ and profiles/ add to the built-in ones,
// or the folders its bootproof.config.json names instead.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConfig, readJsonFile } from './config-file.ts';
import { schemaKey, section, texts } from './schema-parts.ts';
import { UsageError } from '../errors.ts';

export const userConfigName = 'bootproof.config.json';

export interface UserFolders {
  root: string;
  vmConfigs: string[];
  scenarios: string[];
  profiles: string[];
}

/** The user's folder: BOOTPROOF_USER_DIR (which the runner gives its test processes), else the working directory. */
export function userRoot(env = process.env): string {
  return resolve(env.BOOTPROOF_USER_DIR || process.cwd());
}

const conventional = { vmConfigs: 'vm-configs', scenarios: 'scenarios', profiles: 'profiles' } as const;
type Kind = keyof typeof conventional;

const folders = (kind: Kind, holding: string) =>
  texts().optional().describe(`The folders holding ${holding}, relative to this file; absent: ${conventional[kind]}/`);

/** bootproof.config.json, as written. */
export const userConfigSchema = section({
  $schema: schemaKey,
  vmConfigs: folders('vmConfigs', 'vm-configs (<machine>.json)'),
  scenarios: folders('scenarios', 'scenario files (*.test.ts)'),
  profiles: folders('profiles', 'target profiles (<name>.json)'),
});

/** The user's folders of each kind: the conventional ones, or those bootproof.config.json lists. */
export function userFolders(root = userRoot()): UserFolders {
  const file = join(root, userConfigName);
  const listed = existsSync(file) ? readUserConfig(file) : {};
  const folders = (key: Kind) => listed[key] ?? [join(root, conventional[key])];
  return { root, vmConfigs: folders('vmConfigs'), scenarios: folders('scenarios'), profiles: folders('profiles') };
}

/** Reads bootproof.config.json strictly: each key is a list of existing folders, relative to the file. */
export function readUserConfig(file: string): Partial<Record<Kind, string[]>> {
  const { $schema: _, ...listed } = parseConfig(userConfigSchema, file, readJsonFile(file, 'bootproof config', 'fix the JSON'));
  const config: Partial<Record<Kind, string[]>> = {};
  for (const [key, paths] of Object.entries(listed) as [Kind, string[] | undefined][]) {
    if (paths === undefined) continue;
    config[key] = paths.map((path) => {
      const folder = resolve(file, '..', path);
      if (!existsSync(folder) || !statSync(folder).isDirectory()) {
        throw new UsageError(`${file}: ${key}: "${path}" is not a folder (${folder}); paths are relative to the file`);
      }
      return folder;
    });
  }
  return config;
}
