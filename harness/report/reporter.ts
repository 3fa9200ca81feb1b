// A reporter renders a run's results as one file of the run folder.
import type { Results } from '../results/model.ts';

export interface Reporter {
  /** The file's name in the run folder. */
  file: string;
  render(results: Results, runDir: string): string | Promise<string>;
}
