// The known-failures file: failures a team expects (scenario, machine, reason, expiry), reported apart from new ones.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { ObjectReader } from '../config/validate.ts';
import { type KnownFailure } from '../results/model.ts';

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
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: cannot read the known-failures file: ${(error as Error).message}`);
  }
  return { file, entries: parseKnownFailures(file, raw, machines) };
}

/** Parses the file's entries; a machine outside `machines` (and not "*") is a typo that would hide nothing. */
export function parseKnownFailures(file: string, raw: unknown, machines: string[]): KnownFailure[] {
  const root = ObjectReader.root(file, raw);
  const entries = root.objects('knownFailures').map((r) => {
    const entry: KnownFailure = {
      scenario: r.string('scenario'),
      machine: r.string('machine'),
      reason: r.string('reason'),
      expires: r.string('expires'),
    };
    const failure = r.regex('failure', 'optional');
    if (failure) entry.failure = failure.source;
    r.done();
    if (entry.machine !== '*' && !machines.includes(entry.machine)) {
      throw new UsageError(`${file}: ${r.path}machine: unknown machine "${entry.machine}": choose one of ${machines.join(', ')} or "*"`);
    }
    if (!isCalendarDate(entry.expires)) {
      throw new UsageError(`${file}: ${r.path}expires: expected a date as YYYY-MM-DD, got "${entry.expires}"`);
    }
    return entry;
  });
  root.done();
  return entries;
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
