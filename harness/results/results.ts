// A run folder's results: its records with attempts folded, known failures marked, and the summary counted.
import { readRecords } from './records.ts';
import { readRunInfo } from './run-info.ts';
import { finalTests } from './final-status.ts';
import { markKnownFailures, reviewKnownFailures } from './known-failures.ts';
import type { Results, RunInfo, TestRecord } from './model.ts';

/** The results as of now; `complete` says whether the run has finished (a finished run gets its finishing time). */
export async function readResults(runDir: string, complete: boolean): Promise<Results> {
  const info = await readRunInfo(runDir);
  const run: RunInfo = {
    ...(info ?? { id: runDir, startedAt: new Date().toISOString(), accel: 'unknown', host: 'unknown', command: 'unknown' }),
    complete,
    ...(complete ? { finishedAt: new Date().toISOString() } : {}),
  };
  const known = run.knownFailures?.entries ?? [];
  const day = run.startedAt.slice(0, 10);
  const tests = markKnownFailures(finalTests(await readRecords(runDir)), known, day);
  const count = (status: TestRecord['status']) => tests.filter((t) => t.status === status).length;
  const infrastructure = tests.filter((t) => t.status === 'failed' && t.error?.kind === 'InfrastructureError').length;
  const knownFailures = tests.filter((t) => t.knownFailure).length;
  return {
    run,
    summary: {
      passed: count('passed'),
      failed: count('failed') - infrastructure - knownFailures,
      flaky: count('flaky'),
      skipped: count('skipped'),
      infrastructure,
      knownFailures,
      total: tests.length,
    },
    tests,
    ...(known.length > 0 ? { knownFailureReview: reviewKnownFailures(tests, known, day) } : {}),
  };
}
