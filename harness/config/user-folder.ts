// The user's folder: the one bootproof runs in, whose vm-configs/, scenarios/ and profiles/ add to the built-in ones,
// or the folders its bootproof.config.json names instead.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ObjectReader } from './validate.ts';
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

/** The user's folders of each kind: the conventional ones, or those bootproof.config.json lists. */
export function userFolders(root = userRoot()): UserFolders {
  const file = join(root, userConfigName);
  const listed = existsSync(file) ? readUserConfig(file) : {};
  const folders = (key: keyof typeof conventional) => listed[key] ?? [join(root, conventional[key])];
  return { root, vmConfigs: folders('vmConfigs'), scenarios: folders('scenarios'), profiles: folders('profiles') };
}

/** Reads bootproof.config.json strictly: each key is a list of existing folders, relative to the file. */
export function readUserConfig(file: string): Partial<Record<keyof typeof conventional, string[]>> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: cannot read the bootproof config: ${(error as Error).message} (fix the JSON)`);
  }
  const r = ObjectReader.root(file, raw);
  const config: Partial<Record<keyof typeof conventional, string[]>> = {};
  for (const key of Object.keys(conventional) as (keyof typeof conventional)[]) {
    if (!r.keys().includes(key)) continue;
    config[key] = r.strings(key).map((path) => {
      const folder = resolve(file, '..', path);
      if (!existsSync(folder) || !statSync(folder).isDirectory()) {
        throw new UsageError(`${file}: ${key}: "${path}" is not a folder (${folder}); paths are relative to the file`);
      }
      return folder;
    });
  }
  try {
    r.done();
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; the keys are ${Object.keys(conventional).map((k) => `"${k}"`).join(', ')}`);
  }
  return config;
}
