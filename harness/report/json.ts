// results.json: the machine-readable truth of a run.
import type { Reporter } from './reporter.ts';

export const jsonReporter: Reporter = {
  file: 'results.json',
  render: (results) => JSON.stringify(results, null, 2) + '\n',
};
