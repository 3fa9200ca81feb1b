// Matches failures to the known-failures entries a run was given: expected, expired, or no longer failing.
import { type FinalTest, type KnownFailure, type KnownFailureReview, type TestRecord } from './model.ts';

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
