// Which tests a retry runs again.
import { finalTests } from '../results/final-status.ts';
import { type TestRecord } from '../results/model.ts';

/** The titles of tests whose latest attempt failed, unless `expected`: what a retry runs again. */
export function failedTitles(records: TestRecord[], expected: (test: TestRecord) => boolean = () => false): string[] {
  return finalTests(records).filter((t) => t.status === 'failed' && !expected(t)).map((t) => t.title);
}
