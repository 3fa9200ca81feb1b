// Shared starting states: the first test of a run that starts from a state boots to it and saves a checkpoint in the
// run folder (<run>/.states/<key>/); every later test that starts there, in any process, resumes that checkpoint.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetProfile } from '../config/profile.ts';
import type { VmConfig } from '../config/vm-config.ts';
import type { BootPath, BootPathState } from '../boot/boot-path.ts';
import type { Fixture, RootNumber } from '../fixture/fixture.ts';
import type { StartedFrom } from '../results/model.ts';
import { UsageError } from '../errors.ts';
import { guardMismatch, stateGuard, type StateGuard } from './state-guard.ts';

/** What a state's steps drive: the scenario's TestMachine (its part that the states use). */
export interface StateMachine {
  readonly config: VmConfig;
  readonly profile: TargetProfile;
  readonly boot: BootPath;
  readonly hasFixture: boolean;
  readonly fixture: Fixture;
  version(n: RootNumber): string;
  extraDiskDevice(index: number): string;
  upgrade(input: string): Promise<string>;
  rebootToShell(step?: string): Promise<void>;
  step<T>(name: string, action: () => Promise<T>): Promise<T>;
}

interface StateDefinition {
  /** The state this one is reached from. */
  base?: StartState;
  /** The disks attached after the boot disk (for a state without a base). */
  disks?(vm: StateMachine): string[];
  /** The steps from the base state (or from power-off) to this one, each a step of the test. */
  reach(vm: StateMachine): Promise<void>;
}

/** The upgrade files (as many as the machine takes), attached at every start so that one state serves scenarios that upgrade once or twice. */
function upgradeFiles(vm: StateMachine): string[] {
  return vm.hasFixture ? [vm.fixture.rootFs[2], vm.fixture.rootFs[3]].slice(0, vm.config.disk.guestDevices.length - 1) : [];
}

/** The states a scenario can start from (vm.startFrom). */
export type StartState = 'shell' | 'upgraded';

const definitions: Record<StartState, StateDefinition> = {
  /** The image's own version (vm.version(1)) at the shell, after a power-on; the upgrade .fs files attached, when the run has them. */
  shell: {
    disks: upgradeFiles,
    async reach(vm: StateMachine) {
      await vm.boot.powerOn({ disks: upgradeFiles(vm) });
      await vm.step('boot the image', () => vm.boot.reach('shell'));
    },
  },
  /** At the shell of version vm.version(2): from `shell`, upgraded from the first .fs (vm.extraDiskDevice(0)) and rebooted. */
  upgraded: {
    base: 'shell',
    async reach(vm: StateMachine) {
      await vm.step(`upgrade to version ${vm.version(2)}`, () => vm.upgrade(vm.extraDiskDevice(0)));
      await vm.rebootToShell(`reboot into version ${vm.version(2)}`);
    },
  },
};

export const startStates = Object.keys(definitions) as StartState[];

/** What a shared state's folder records besides the checkpoint: what it was made with, by whom, and the boot it holds. */
interface SharedStateFile {
  state: StartState;
  guard: StateGuard;
  builtBy: string;
  boot: BootPathState;
  base?: StartedFrom;
}

const stateFile = 'shared-state.json';

/** Where a run keeps the checkpoints of its shared starting states; the runner removes the folder when the run ends. */
export function sharedStatesFolder(runDir: string): string {
  return join(runDir, '.states');
}

/** Where and for whom a test's shared states are kept. */
export interface SharedStatesOptions {
  /** The run's folder of shared states (<run>/.states). */
  folder: string;
  /** The title of the test, named as the builder of the states it saves. */
  title: string;
  variant: string;
  accel: string;
  /** sha256 of each image the test boots, by fixture name ("disk.img", "root-v2.fs", ...). */
  images: Record<string, string>;
  log(message: string): void;
}

/** One test's way to its starting state. */
export class SharedStates {
  private started: StartedFrom | undefined;

  constructor(private readonly options: SharedStatesOptions) {}

  /** The state the test started from, once it has. */
  get startedFrom(): StartedFrom | undefined {
    return this.started;
  }

  /** Brings the machine, off and not yet booted, to `state`: resumed from the run's checkpoint, or booted and saved. */
  async startFrom(vm: StateMachine, state: StartState): Promise<StartedFrom> {
    if (!(state in definitions)) {
      throw new UsageError(`vm.startFrom('${state}'): there is no such starting state; the states are ${startStates.join(', ')}`);
    }
    if (this.started) throw new UsageError(`vm.startFrom('${state}'): the test already started from "${this.started.state}"; a test starts once`);
    if (vm.boot.boots.length > 0) throw new UsageError(`vm.startFrom('${state}') must come before the test's first boot`);
    this.started = await this.reach(vm, state);
    return this.started;
  }

  private async reach(vm: StateMachine, state: StartState): Promise<StartedFrom> {
    const definition = definitions[state];
    if (!vm.config.resumesCheckpoints) {
      const base = definition.base ? await this.reach(vm, definition.base) : undefined;
      await definition.reach(vm);
      const note = `${vm.config.name} does not resume checkpoints (resumesCheckpoints: false), so the test booted to the state`;
      return { state, how: 'booted', note, ...(base ? { base } : {}) };
    }
    const dir = join(this.options.folder, this.key(vm, state));
    const guard = await this.guard(vm, state);
    if (existsSync(join(dir, stateFile))) {
      const saved = JSON.parse(await readFile(join(dir, stateFile), 'utf8')) as SharedStateFile;
      const mismatch = guardMismatch(saved.guard, guard);
      if (mismatch) return this.bootFresh(vm, state, `the shared checkpoint ${dir} was not used: ${mismatch}`);
      try {
        await vm.step(`start from the state "${state}" (checkpoint saved by ${saved.builtBy})`, async () => {
          await vm.boot.resume(dir, saved.boot, `shared state ${state}`);
          if (saved.boot.state === 'shell') await vm.boot.confirmIdentity();
        });
        return { state, how: 'restored', builtBy: saved.builtBy };
      } catch (error) {
        await vm.boot.startOver();
        return this.bootFresh(vm, state, `restoring the shared checkpoint ${dir} failed: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const base = definition.base ? await this.reach(vm, definition.base) : undefined;
    await definition.reach(vm);
    const note = await this.save(vm, state, dir, { state, guard, builtBy: this.options.title, ...(base ? { base } : {}) });
    const how = note ? 'booted' : 'built';
    return { state, how, ...(note ? { note } : { builtBy: this.options.title }), ...(base ? { base } : {}) };
  }

  /** Boots to the state without the shared checkpoint (nor saving one), and says why in the log and the record. */
  private async bootFresh(vm: StateMachine, state: StartState, why: string): Promise<StartedFrom> {
    this.options.log(`${why}; booting to the state "${state}" instead`);
    const chain: StartState[] = [];
    for (let s: StartState | undefined = state; s; s = definitions[s].base) chain.unshift(s);
    for (const s of chain) await definitions[s].reach(vm);
    return { state, how: 'booted', note: why };
  }

  /**
   * Saves the running machine as the shared state: into a temporary folder, then renamed, so no reader sees half of
   * it. Resolves with why it was not kept, if it was not.
   */
  private async save(vm: StateMachine, state: StartState, dir: string, file: Omit<SharedStateFile, 'boot'>): Promise<string | undefined> {
    await mkdir(this.options.folder, { recursive: true });
    const temporary = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      const boot = await vm.step(`save the state "${state}" for later tests (checkpoint)`, () => vm.boot.checkpoint(temporary));
      await writeFile(join(temporary, stateFile), JSON.stringify({ ...file, boot }, null, 2) + '\n');
      await rename(temporary, dir);
      return undefined;
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      // Two processes may build the same state at once: the first to rename wins, the other's copy goes.
      const note = code === 'ENOTEMPTY' || code === 'EEXIST' ? 'another test saved the state first; this copy was dropped' : `the checkpoint was not kept: ${(error as Error).message.split('\n')[0]}`;
      this.options.log(note);
      return note;
    }
  }

  /** The folder name of a state: one per machine, variant, profile and state (the images are in the guard). */
  private key(vm: StateMachine, state: StartState): string {
    return [state, vm.config.name, this.options.variant, vm.profile.name].join('--').replace(/[^\w.-]/g, '_');
  }

  private guard(vm: StateMachine, state: StartState): Promise<StateGuard> {
    let root: StartState = state;
    while (definitions[root].base) root = definitions[root].base!;
    const disks = definitions[root].disks?.(vm) ?? [];
    return stateGuard({ config: vm.config, profile: vm.profile, accel: this.options.accel, images: this.options.images, disks });
  }
}

/** Boots to a state without sharing it (a machine outside a scenario's run, e.g. vm.sibling). */
export async function bootToState(vm: StateMachine, state: StartState): Promise<StartedFrom> {
  const definition = definitions[state];
  if (definition.base) await bootToState(vm, definition.base);
  await definition.reach(vm);
  return { state, how: 'booted', note: 'no shared states outside a scenario run' };
}
