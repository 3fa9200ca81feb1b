// Folds retries and repetitions: one result per test, the last attempt's, and "flaky" when attempts disagree.
import { type FinalTest, type TestRecord } from './model.ts';

export function finalTests(records: TestRecord[]): FinalTest[] {
  const byTest = new Map<string, TestRecord[]>();
  for (const record of records) {
    const key = `${record.machine}\0${record.title}`;
    byTest.set(key, [...(byTest.get(key) ?? []), record]);
  }
  return [...byTest.values()].map((attempts) => {
    attempts.sort((a, b) => (a.attempt ?? 1) - (b.attempt ?? 1));
    const last = attempts[attempts.length - 1]!;
    const earlier = attempts.slice(0, -1);
    if (earlier.length === 0) return last;
    // Mixed results (a retry that passed, or a repetition that failed) make a test flaky.
    const statuses = new Set(attempts.map((a) => a.status));
    const flaky = statuses.has('passed') && statuses.has('failed');
    return {
      ...last,
      status: flaky ? 'flaky' : last.status,
      earlierAttempts: earlier.map((a) => ({ attempt: a.attempt ?? 1, status: a.status, error: a.error, artifacts: a.artifacts })),
    };
  });
}

/** The status a reader sees: a known failure is shown as such, apart from new failures. */
export function shownStatus(t: FinalTest): string {
  return t.knownFailure ? 'known failure' : t.status;
}
