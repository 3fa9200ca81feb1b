// Builds results.json, junit.xml and index.html from the run folder's records, each written atomically.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../atomic.ts';
import { readRecords } from '../results/records.ts';
import type { Results, RunInfo, TestRecord } from '../results/model.ts';
import { finalTests } from '../results/final-status.ts';
import { readRunInfo } from '../results/run-info.ts';
import { markKnownFailures, reviewKnownFailures } from '../results/known-failures.ts';
import { htmlReport } from './html/html-report.ts';
import { junitXml } from './junit.ts';

export async function writeReport(runDir: string, complete: boolean): Promise<Results> {
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
  const results: Results = {
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
  await writeAtomic(join(runDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  await writeAtomic(join(runDir, 'junit.xml'), junitXml(tests, (t) => transcriptTail(runDir, t)));
  await writeAtomic(join(runDir, 'index.html'), await htmlReport(runDir, results));
  return results;
}

function transcriptTail(runDir: string, record: TestRecord): string {
  if (!record.artifacts.transcript) return '';
  try {
    return readFileSync(join(runDir, record.artifacts.transcript), 'utf8').slice(-3000);
  } catch {
    return '';
  }
}
