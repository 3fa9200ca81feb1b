// Named files (vm-configs, profiles, scenario files) from a built-in folder and the user's folders.
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';

export interface NamedFile {
  name: string;
  file: string;
  /** Whether it is one of bootproof's own, not from the user's folders. */
  builtIn: boolean;
}

/** Whether a --machine, --profile or --scenario value is a path rather than a name. */
export function isPath(nameOrPath: string, suffix: string): boolean {
  return nameOrPath.endsWith(suffix) || nameOrPath.includes('/');
}

/** The name a file of this kind goes by: its file name without the suffix. */
export function nameOf(file: string, suffix: string): string {
  return basename(file).endsWith(suffix) ? basename(file).slice(0, -suffix.length) : basename(file);
}

/**
 * The files ending in `suffix`, by name, sorted: the built-in folder's, then the user's folders', whose file replaces a
 * built-in one of the same name. Two user folders holding the same name is an error naming both files.
 */
export function namedFiles(builtIn: string, userDirs: readonly string[], suffix: string): NamedFile[] {
  const found = new Map<string, NamedFile>();
  for (const file of filesIn(builtIn, suffix)) found.set(nameOf(file, suffix), { name: nameOf(file, suffix), file, builtIn: true });
  const own = realpathSync(builtIn);
  for (const dir of userDirs.filter((d) => !existsSync(d) || realpathSync(d) !== own)) {
    for (const file of filesIn(dir, suffix)) {
      const name = nameOf(file, suffix);
      const other = found.get(name);
      if (other && !other.builtIn) throw new UsageError(`"${name}" is defined twice, in ${other.file} and in ${file}: rename or remove one of them`);
      found.set(name, { name, file, builtIn: false });
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function filesIn(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(resolve(dir), f));
}
