// The known-failures file: failures a team expects (scenario, machine, reason, expiry), reported apart from new ones.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { ObjectReader } from '../config/validate.ts';
import type { TestRecord } from './record.ts';
import type { FinalTest } from './final-status.ts';

export interface KnownFailure {
  scenario: string;
  /** A machine name, or "*" for every machine. */
  machine: string;
  reason: string;
  /** YYYY-MM-DD: from the day after, the failure counts as a failure again. */
  expires: string;
  /** Source of a regular expression: only failures whose message matches are expected; absent, any failure is. */
  failure?: string;
}

/** What a test's failure was matched to. */
export interface KnownFailureMark {
  reason: string;
  expires: string;
}

/** Entries that need a person's attention, shown in the report. */
export interface KnownFailureReview {
  /** Entries past their expiry whose test failed: counted as failures. */
  expired: (KnownFailure & { title: string })[];
  /** Entries whose test passed: the entry can go. */
  nowPassing: (KnownFailure & { title: string })[];
}

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

/** Whether `entry` is about `test`'s scenario and machine. */
function concerns(entry: KnownFailure, test: TestRecord): boolean {
  return entry.scenario === test.scenario && (entry.machine === '*' || entry.machine === test.machine);
}

/** An entry expires at the end of its day (UTC): on the expiry date itself it still applies. */
function expiredOn(entry: KnownFailure, day: string): boolean {
  return day > entry.expires;
}

/** The entry that makes `test`'s failure expected on `day` (YYYY-MM-DD), if any. */
export function expectedFailure(test: TestRecord, entries: KnownFailure[], day: string): KnownFailure | undefined {
  if (test.status !== 'failed' || test.error?.kind === 'InfrastructureError') return undefined;
  const message = test.error?.message ?? '';
  return entries.find(
    (e) => concerns(e, test) && !expiredOn(e, day) && (e.failure === undefined || new RegExp(e.failure, 'm').test(message)),
  );
}

/** Entries that expired while their test still fails, and entries whose test now passes. */
export function reviewKnownFailures(tests: TestRecord[], entries: KnownFailure[], day: string): KnownFailureReview {
  const review: KnownFailureReview = { expired: [], nowPassing: [] };
  for (const entry of entries) {
    for (const test of tests.filter((t) => concerns(entry, t))) {
      if (test.status === 'passed') review.nowPassing.push({ ...entry, title: test.title });
      else if (test.status === 'failed' && expiredOn(entry, day)) review.expired.push({ ...entry, title: test.title });
    }
  }
  return review;
}

/** `tests` with each expected failure marked (the day is the run's start date, so a rebuilt report says the same). */
export function markKnownFailures(tests: FinalTest[], entries: KnownFailure[], day: string): FinalTest[] {
  return tests.map((test) => {
    const entry = expectedFailure(test, entries, day);
    return entry ? { ...test, knownFailure: { reason: entry.reason, expires: entry.expires } } : test;
  });
}
