// The crash-states rate for npm run bench: one crash-states run of the fixture on amd64-bios, through the CLI.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Results } from '../harness/results/model.ts';

/**
 * Crash states per minute of the whole test (recording, upgrade and boots), `stateJobs` booted at once: judged (those
 * sharing a boot included), and distinct states booted.
 */
export async function benchCrashStates(out: string, maxStates: number, stateJobs: number): Promise<void> {
  const bin = new URL('../bin/bootproof.js', import.meta.url).pathname;
  const args = ['crash-states', '--machine', 'amd64-bios', '--max-states', String(maxStates), '--state-jobs', String(stateJobs), '-j', '1', '--out', out];
  const run = await execa('node', [bin, ...args], { reject: false, all: true });
  const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Results;
  const test = results.tests.find((t) => t.scenario === 'crash-states');
  const counts = test?.data?.crashStateCounts as { judged: number; readAlike: number; booted: number } | undefined;
  if (!test || !counts) throw new Error(`crash-states ran without its counts (exit ${run.exitCode}):\n${(run.all ?? '').slice(-2000)}`);
  const minutes = test.durationMs / 60_000;
  console.log(`crash_states_judged_per_min: ${(counts.judged / minutes).toFixed(1)}`);
  console.log(`crash_states_booted_per_min: ${(counts.booted / minutes).toFixed(1)}`);
  console.log(`crash_states_judged: ${counts.judged}`);
  console.log(`crash_states_read_alike: ${counts.readAlike}`);
  console.log(`crash_states_booted: ${counts.booted}`);
  console.log(`crash_states_state_jobs: ${stateJobs}`);
  console.log(`crash_states_status: ${test.status}`);
}
