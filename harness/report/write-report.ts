// Writes every report of the run folder (results.json, junit.xml, index.html) from its records, each atomically.
import { join } from 'node:path';
import { writeAtomic } from '../atomic.ts';
import { readResults } from '../results/results.ts';
import type { Results } from '../results/model.ts';
import type { Reporter } from './reporter.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import { htmlReporter } from './html/html-report.ts';

export const reporters: Reporter[] = [jsonReporter, junitReporter, htmlReporter];

export async function writeReport(runDir: string, complete: boolean): Promise<Results> {
  const results = await readResults(runDir, complete);
  for (const reporter of reporters) await writeAtomic(join(runDir, reporter.file), await reporter.render(results, runDir));
  return results;
}
