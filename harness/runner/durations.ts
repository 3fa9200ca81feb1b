// How long each test took the last time the history saw it run: what orders a run's files and what --list expects.
import type { HistoryEntry } from '../report/history.ts';

export const cellKey = (scenario: string, machine: string) => `${scenario}\n${machine}`;

/**
 * Per test (by cellKey), its duration in the latest run of `history` that ran it (a skip is no run). Runs under
 * `accel` win over later runs under another accelerator, whose timings say little about this one's.
 */
export function expectedDurations(history: HistoryEntry[], accel?: string): Map<string, number> {
  const byTime = [...history].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const durations = new Map<string, number>();
  for (const entries of [byTime, byTime.filter((entry) => entry.accel === accel)]) {
    for (const entry of entries) {
      for (const test of entry.tests) {
        if (test.status !== 'skipped' && test.durationMs !== undefined) durations.set(cellKey(test.scenario, test.machine), test.durationMs);
      }
    }
  }
  return durations;
}
