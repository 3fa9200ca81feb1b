// Registers a scenario as one ava test per machine, gives it a TestMachine, and records its result.
import { checkScenarioMeta } from './meta.ts';
import test, { type ExecutionContext } from 'ava';
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { loadProfile } from '../config/profile.ts';
import type { VmConfig } from '../config/vm-config.ts';
import { chooseAccel, parseAccelChoice } from '../qemu/accel.ts';
import { TimeScale } from '../deadline.ts';
import { Machine } from '../machine/machine.ts';
import { BootPath } from '../boot/boot-path.ts';
import { appendRecord } from '../results/records.ts';
import type { TestRecord } from '../results/model.ts';
import { bootImagesFor, userImagesFromEnv } from './image-source.ts';
import { inShard, machineChoices, machinesFor, selectionFromEnv, type ScenarioMeta } from './selection.ts';
import { TestMachine } from './test-machine.ts';
import { SharedStates, sharedStatesFolder } from './start-states.ts';
import { describeError } from './describe-error.ts';
import { avaSkipTitle } from './skip-title.ts';

export type ScenarioBody = (t: ExecutionContext, vm: TestMachine) => Promise<void>;

/** A test that a scenario file declared: one machine's cell, or the reason the machine cannot run it. */
export interface DeclaredTest {
  /** As its record names it: the scenario, or "scenario:catches-variant" for a broken fixture it must catch. */
  scenario: string;
  machine: string;
  title: string;
  /** The scenario's time limit (`timeoutMinutes`): what the runner weighs a test by before the history knows it. */
  timeoutMinutes: number;
  skip?: string;
}

const declared = new Map<string, DeclaredTest[]>();

/** The scenarios this process declared, by name, with their tests (what the runner collects before a run). */
export function declaredScenarios(): ReadonlyMap<string, readonly DeclaredTest[]> {
  return declared;
}

/** Where records and artefacts go: the runner's folder, or reports/ava-latest when ava runs alone. */
export function runDirFromEnv(): string {
  return resolve(process.env.BOOTPROOF_RUN_DIR ?? join('reports', 'ava-latest'));
}

/** Declares a scenario; duplicate names fail at load time. */
export function scenario(meta: ScenarioMeta, body: ScenarioBody): void {
  checkScenarioMeta(meta);
  if (declared.has(meta.name)) throw new Error(`scenario "${meta.name}" is declared twice`);
  const tests: DeclaredTest[] = [];
  declared.set(meta.name, tests);
  const selection = selectionFromEnv();
  const variant = process.env.BOOTPROOF_VARIANT ?? 'normal';
  const register = (config: VmConfig, title: string, implementation: (t: ExecutionContext) => Promise<void>, recorded = meta.name) => {
    if (!inShard(title, selection.shard)) return;
    tests.push({ scenario: recorded, machine: config.name, title, timeoutMinutes: meta.timeoutMinutes });
    test.serial(title, implementation);
  };
  for (const { config, skip } of machineChoices(meta, selection)) {
    const title = `${meta.name} on ${config.name}`;
    if (!skip) register(config, title, (t) => runOne(t, meta.name, meta, config, variant, body));
    else if (inShard(title, selection.shard)) {
      // The runner records the skip with its reason; ava shows it as skipped, the reason in the title.
      tests.push({ scenario: meta.name, machine: config.name, title, timeoutMinutes: meta.timeoutMinutes, skip });
      test.skip(avaSkipTitle(title, skip), () => undefined);
    }
  }
  // The variants are broken fixtures: a user's images have none.
  if (variant !== 'normal' || userImagesFromEnv()) return;
  const detectors = machinesFor(meta, { ...selection, slice: 'ci' }).filter((c) => !c.media.image);
  for (const { variant: broken, failure, machines } of meta.detects ?? []) {
    for (const config of detectors.filter((c) => !machines || machines.includes(c.name))) {
      const name = `${meta.name}:catches-${broken}`;
      register(
        config,
        `${meta.name} catches the ${broken} fixture on ${config.name}`,
        (t) => runOne(t, name, meta, config, broken, (t, vm) => expectFailure(t, vm, meta.name, broken, failure, body)),
        name,
      );
    }
  }
}

/** Runs a scenario as an attempt that must fail, with a message that shows it failed for the right reason. */
async function expectFailure(t: ExecutionContext, vm: TestMachine, name: string, variant: string, failure: RegExp, body: ScenarioBody) {
  const attempt = await t.try((tt) => (vm.assertWith(tt), body(tt, vm)));
  const messages = attempt.errors.map((e) => describeError(e).message).join('\n');
  attempt.discard();
  t.false(attempt.passed, `the ${name} scenario passed on the ${variant} fixture, whose flaw it exists to catch`);
  t.regex(messages, failure, `the ${name} scenario failed on the ${variant} fixture, but for another reason`);
  t.log(`failed as it should: ${messages.split('\n')[0]}`);
}

async function runOne(
  t: ExecutionContext,
  scenarioName: string,
  meta: ScenarioMeta,
  config: VmConfig,
  requestedVariant: string,
  body: ScenarioBody,
): Promise<void> {
  const runDir = runDirFromEnv();
  const accel = await chooseAccel(parseAccelChoice(process.env.BOOTPROOF_ACCEL));
  t.timeout(new TimeScale(accel.accel).ms(meta.timeoutMinutes * 60_000), `scenario ${meta.name} ran past its time limit`);
  const attempt = Number(process.env.BOOTPROOF_ATTEMPT ?? 1);
  const artifactDir = join(runDir, 'tests', `${scenarioName.replace(':', '--')}--${config.name}${attempt > 1 ? `--attempt${attempt}` : ''}`);
  await mkdir(artifactDir, { recursive: true });
  const startedAt = new Date();
  const profile = loadProfile(process.env.BOOTPROOF_PROFILE ?? 'fixture');
  let image = { path: '', sha256: '' };
  let machine: Machine | undefined;
  let vm: TestMachine | undefined;
  let states: SharedStates | undefined;
  let error: unknown;
  try {
    const images = await bootImagesFor(config, requestedVariant, profile);
    image = { path: images.disk, sha256: images.sha256 };
    machine = await Machine.create({ config, profile, image: images.disk, accel: accel.accel, artifactDir });
    t.teardown(() => machine?.release());
    states = new SharedStates({
      folder: sharedStatesFolder(runDir),
      title: t.title,
      variant: requestedVariant,
      accel: accel.accel,
      images: images.fixture ? Object.fromEntries(Object.entries(images.fixture.manifest.files).map(([name, file]) => [name, file.sha256])) : { 'disk.img': images.sha256 },
      log: (message) => t.log(message),
    });
    vm = new TestMachine(t, config, profile, images.fixture, machine, new BootPath(machine, profile), states);
    const testMachine = vm;
    // An attempt keeps each failure's own message (ava's thrown TestFailure only says "The test has failed").
    const attempt = await t.try((tt) => (testMachine.assertWith(tt), body(tt, testMachine)));
    if (!attempt.passed) error = attempt.errors[0];
    attempt.commit({ retainLogs: true });
  } catch (caught) {
    // A failed attempt's commit throws ava's generic TestFailure: keep the attempt's own error.
    error ??= caught;
    throw caught;
  } finally {
    const kept = error && machine && process.env.BOOTPROOF_KEEP_ON_FAILURE === '1' ? await keepFailedVm(t, machine, artifactDir) : undefined;
    await machine?.release();
    const record: TestRecord = {
      scenario: scenarioName,
      machine: config.name,
      title: t.title,
      attempt,
      image,
      status: error ? 'failed' : 'passed',
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      phases: vm?.boot.boots[0]?.phases ?? {},
      boots: vm?.boot.boots ?? [],
      steps: vm?.steps ?? [],
      accel: accel.accel,
      ...(vm && Object.keys(vm.data).length > 0 ? { data: vm.data } : {}),
      ...(states?.startedFrom ? { startedFrom: states.startedFrom } : {}),
      ...(error ? { error: describeError(error) } : {}),
      ...(kept ? { kept: { checkpoint: relative(runDir, kept), attach: attachCommand(kept) } } : {}),
      artifacts: machine
        ? {
            transcript: relative(runDir, machine.artifacts.transcript),
            cast: relative(runDir, machine.artifacts.cast),
            qemuStderr: relative(runDir, machine.artifacts.qemuStderr),
            launches: relative(runDir, machine.artifacts.launches),
            ...(machine.artifacts.bootServerLog ? { bootServerLog: relative(runDir, machine.artifacts.bootServerLog) } : {}),
          }
        : {},
    };
    await appendRecord(runDir, record);
  }
}

/** The one command that resumes a kept VM. */
export function attachCommand(checkpoint: string): string {
  return `npx bootproof console --attach ${checkpoint}`;
}

/** Stops the failed test's VM where it stands and saves it as a checkpoint that `console --attach` resumes, paused. */
async function keepFailedVm(t: ExecutionContext, machine: Machine, artifactDir: string): Promise<string | undefined> {
  if (!machine.running) {
    t.log('--keep-on-failure: nothing to keep, QEMU had already ended');
    return undefined;
  }
  const dir = join(artifactDir, 'kept-vm');
  try {
    await machine.qmp.execute('stop');
    await machine.checkpoint(dir, { resume: false, onBaseImage: true });
  } catch (caught) {
    t.log(`--keep-on-failure: could not keep the VM: ${(caught as Error).message.split('\n')[0]}`);
    return undefined;
  }
  t.log(`kept the VM paused at the failure; resume it with: ${attachCommand(dir)}`);
  return dir;
}
