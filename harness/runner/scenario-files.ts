// The scenario families: one <name>.test.ts file each, in bootproof's scenarios/ or the user's (whose file wins).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPath, namedFiles, type NamedFile } from '../config/named-files.ts';
import { userFolders } from '../config/user-folder.ts';
import { UsageError } from '../errors.ts';

export const scenarioDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export function scenarioFiles(): NamedFile[] {
  return namedFiles(scenarioDir, userFolders().scenarios, '.test.ts');
}

export function scenarioNames(): string[] {
  return scenarioFiles().map((s) => s.name);
}

/** The absolute path of a scenario file, by family name or from a path ending in .test.ts. */
export function scenarioFile(nameOrPath: string): string {
  const files = scenarioFiles();
  const file = isPath(nameOrPath, '.ts') ? resolve(nameOrPath) : files.find((s) => s.name === nameOrPath)?.file;
  if (file && existsSync(file)) return file;
  const known = `${files.map((s) => s.name).join(', ')}, or a path to a .test.ts file`;
  throw new UsageError(file ? `scenario file ${file} not found: check the path, or name a scenario (${known})` : `unknown scenario "${nameOrPath}": choose one of ${known}`);
}
