// The result model: one JSON record per test, appended to the run folder as it finishes.
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BootRecord, Phases } from '../boot/boot-path.ts';

export type TestStatus = 'passed' | 'failed' | 'flaky' | 'skipped';

export interface StepRecord {
  name: string;
  durationMs: number;
  ok: boolean;
}

export interface TestRecord {
  scenario: string;
  machine: string;
  title: string;
  /** 1 (or absent) for the first run of the test, 2 for its first retry, and so on. */
  attempt?: number;
  image: { path: string; sha256: string };
  status: TestStatus;
  startedAt: string;
  durationMs: number;
  /** Phases of the first boot; every boot is in `boots`. */
  phases: Phases;
  boots: BootRecord[];
  steps: StepRecord[];
  accel: string;
  error?: { kind: string; message: string };
  skipReason?: string;
  /** Extra results of the scenario, e.g. `crashStates`: the table of crash states checked. */
  data?: Record<string, unknown>;
  /** A failed test's VM kept paused at the failure (run --keep-on-failure): its checkpoint and the command resuming it. */
  kept?: { checkpoint: string; attach: string };
  /** Paths relative to the run folder. */
  artifacts: { transcript?: string; cast?: string; qemuStderr?: string; bootServerLog?: string };
}

export const recordsFile = (runDir: string) => join(runDir, 'records.jsonl');

export async function appendRecord(runDir: string, record: TestRecord): Promise<void> {
  await appendFile(recordsFile(runDir), JSON.stringify(record) + '\n');
}

/** Reads every complete record line; a line cut by a crash is ignored. */
export async function readRecords(runDir: string): Promise<TestRecord[]> {
  let text: string;
  try {
    text = await readFile(recordsFile(runDir), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as TestRecord];
      } catch {
        return [];
      }
    });
}
