// Runs scenarios × machines as ava tests in a child process, then writes the run folder's report.
import { mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { loadVmConfig } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import { chooseAccel, type AccelChoice } from '../qemu/accel.ts';
import { checkFixtureRequest } from '../fixture/fixture.ts';
import { newRunInfo, writeRunInfo } from '../report/run-info.ts';
import { writeReport, type Results } from '../report/write-report.ts';
import { UsageError } from '../errors.ts';
import { scenarioFile } from './scenario-files.ts';

export interface RunRequest {
  scenarios: string[];
  /** Undefined: every machine each scenario qualifies for. */
  machines?: string[];
  slice: 'ci' | 'full';
  out: string;
  accel: AccelChoice;
  variant: string;
  profile: string;
  command: string;
}

export interface RunOutcome {
  results: Results;
  exitCode: 0 | 1;
}

// ava exports no path to its CLI; it sits beside the main entry point.
const avaCli = join(dirname(createRequire(import.meta.url).resolve('ava')), 'cli.mjs');

export async function runScenarios(request: RunRequest): Promise<RunOutcome> {
  const files = request.scenarios.map(scenarioFile);
  const configs = (request.machines ?? []).map((m) => loadVmConfig(m));
  for (const config of configs) checkFixtureRequest(config.arch, request.variant);
  loadProfile(request.profile);
  await prepareOutDir(request.out);

  const accel = await chooseAccel(request.accel);
  await writeRunInfo(request.out, newRunInfo(request.out, accel.accel, accel.reason, request.command));
  await writeReport(request.out, false);
  console.log(`bootproof: accelerator ${accel.accel} (${accel.reason}); report in ${request.out}`);

  let interrupted = false;
  const onSignal = () => (interrupted = true);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let avaExitCode = 0;
  try {
    ({ exitCode: avaExitCode = 1 } = await execa(process.execPath, [avaCli, '--verbose', ...files], {
      stdio: 'inherit',
      reject: false,
      env: {
        BOOTPROOF_RUN_DIR: request.out,
        BOOTPROOF_MACHINES: request.machines?.join(',') ?? '',
        BOOTPROOF_SLICE: request.slice,
        BOOTPROOF_ACCEL: accel.accel,
        BOOTPROOF_VARIANT: request.variant,
        BOOTPROOF_PROFILE: request.profile,
        BOOTPROOF_OWNER_PID: String(process.pid),
      },
    }));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const results = await writeReport(request.out, !interrupted);
  if (results.summary.total === 0) {
    throw new UsageError(`no test ran: none of the scenarios (${request.scenarios.join(', ')}) applies to the machines asked for`);
  }
  const bad = results.summary.failed > 0 || avaExitCode !== 0 || interrupted;
  return { results, exitCode: bad ? 1 : 0 };
}

async function prepareOutDir(out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const existing = await readdir(out);
  if (existing.includes('run.json')) {
    throw new UsageError(`${out} already holds a run: choose another --out folder`);
  }
}
