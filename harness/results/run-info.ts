// The run folder's run.json: when it started, where, with which accelerator, and whether it finished.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeAtomic } from '../atomic.ts';
import { type RunInfo } from './model.ts';

const runFile = (runDir: string) => join(runDir, 'run.json');

/** The profile of a run that names none (and of runs recorded before run.json held it). */
export const defaultProfile = 'fixture';

export function newRunInfo(id: string, accel: string, accelReason: string, command: string, profile = defaultProfile): RunInfo {
  return { id, startedAt: new Date().toISOString(), complete: false, accel, accelReason, host: hostname(), command, profile };
}

export async function writeRunInfo(runDir: string, info: RunInfo): Promise<void> {
  await writeAtomic(runFile(runDir), JSON.stringify(info, null, 2) + '\n');
}

export async function readRunInfo(runDir: string): Promise<RunInfo | undefined> {
  try {
    return JSON.parse(await readFile(runFile(runDir), 'utf8')) as RunInfo;
  } catch {
    return undefined;
  }
}
