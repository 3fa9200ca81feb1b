// The known-failures file: failures a team expects (scenario, machine, reason, expiry), reported apart from new ones.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseConfig, readJsonFile } from '../config/config-file.ts';
import { knownFailuresSchema, type KnownFailure } from '../config/known-failures.ts';

export const defaultKnownFailuresFile = 'known-failures.json';

/**
 * Loads the known-failures file: `explicit` must exist; without it, ./known-failures.json is used when present.
 * Returns undefined when there is no file.
 */
export function loadKnownFailures(explicit: string | undefined, machines: string[]): { file: string; entries: KnownFailure[] } | undefined {
  const file = resolve(explicit ?? defaultKnownFailuresFile);
  if (!existsSync(file)) {
    if (explicit) throw new UsageError(`--known-failures: ${file} does not exist: give the path of a known-failures JSON file`);
    return undefined;
  }
  return { file, entries: parseKnownFailures(file, readJsonFile(file, 'known-failures file'), machines) };
}

/** Parses the file's entries; a machine outside `machines` (and not "*") is a typo that would hide nothing. */
export function parseKnownFailures(file: string, raw: unknown, machines: string[]): KnownFailure[] {
  const { knownFailures } = parseConfig(knownFailuresSchema, file, raw);
  knownFailures.forEach((entry, i) => {
    if (entry.machine !== '*' && !machines.includes(entry.machine)) {
      throw new UsageError(`${file}: knownFailures[${i}].machine: unknown machine "${entry.machine}": choose one of ${machines.join(', ')} or "*"`);
    }
  });
  return knownFailures;
}
