// What a scenario works with: a machine, its boot path and shell, the target profile, and the target's verbs.
import type { ExecutionContext } from 'ava';
import type { VmConfig } from '../config/vm-config.ts';
import { fill, type TargetProfile } from '../config/profile.ts';
import { Machine, type MachineOptions } from '../machine/machine.ts';
import { BootPath } from '../boot/boot-path.ts';
import type { BootRecord, StepRecord } from '../results/model.ts';
import { dirname, join } from 'node:path';
import type { Shell } from '../boot/shell.ts';
import type { Console, WaitOptions } from '../console/console.ts';
import type { Fixture, RootNumber } from '../fixture/fixture.ts';
import { BootproofError, UsageError } from '../errors.ts';
import { bootToState, type SharedStates, type StartState } from './start-states.ts';

export class TestMachine {
  readonly steps: StepRecord[] = [];
  /** Extra results the scenario reports (e.g. a table of crash states), kept in the test's record. */
  readonly data: Record<string, unknown> = {};

  constructor(
    private readonly t: ExecutionContext,
    readonly config: VmConfig,
    readonly profile: TargetProfile,
    private readonly images: Fixture | undefined,
    readonly machine: Machine,
    readonly boot: BootPath,
    private readonly states?: SharedStates,
  ) {
    this.assertions = t;
    if (images) boot.setWrittenFs(writtenFsOf(images));
  }

  /**
   * Brings the machine, before its first boot, to a starting state that other tests share: `'shell'`, the image's
   * own version at the shell with the upgrade .fs files attached (vm.extraDiskDevice(0) and (1)); `'upgraded'`, from
   * there upgraded to vm.version(2) and rebooted into it. The run's first test to need a state boots to it and saves
   * a checkpoint; later ones resume it (the test's record says which, and who built it).
   */
  async startFrom(state: StartState): Promise<void> {
    if (this.states) await this.states.startFrom(this, state);
    else await bootToState(this, state);
  }

  /** The A/B images of the run (the fixture's, or validate's); a run booting a user's image alone has none. */
  get fixture(): Fixture {
    if (!this.images) {
      throw new UsageError(
        `this run boots ${this.machine.options.image} without A/B images, so there is no vm.fixture: declare needs: ['ab-roots'] in the scenario, or give the .fs files with bootproof validate --fs FS=VERSION`,
      );
    }
    return this.images;
  }

  /** Whether the run has A/B images (`vm.fixture`). */
  get hasFixture(): boolean {
    return this.images !== undefined;
  }

  get shell(): Shell {
    return this.boot.shell;
  }

  /**
   * The machine's console. A wait that matched is an assertion of the test (ava's `t.pass`), so a scenario that
   * only powers on and waits passes on its waits, and fails on the first that times out.
   */
  get console(): Console {
    const console = this.machine.console;
    const passed = (pattern: unknown) => this.assertions.pass(`the console showed ${String(pattern)}`);
    return new Proxy(console, {
      get(target, key) {
        if (key === 'waitFor') {
          return async (pattern: RegExp | string, options?: WaitOptions) => {
            const match = await target.waitFor(pattern, options);
            // A scenario reading the screen after a stream wait sees what the wait saw.
            await target.flushed();
            passed(pattern);
            return match;
          };
        }
        if (key === 'waitForAny') {
          return async (patterns: Record<string, RegExp | string>, options?: WaitOptions) => {
            const result = await target.waitForAny(patterns, options);
            await target.flushed();
            if (result.outcome !== 'timeout') passed(patterns[result.outcome]);
            return result;
          };
        }
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private assertions: Pick<ExecutionContext, 'pass'>;

  /** The assertions of the running attempt (the scenario body runs in `t.try`, whose own `t` must assert). */
  assertWith(t: Pick<ExecutionContext, 'pass'>): void {
    this.assertions = t;
  }

  /** What the last boot brought up: device, version, boot id. */
  get booted(): BootRecord {
    return this.boot.lastBoot;
  }

  /**
   * The commands that the firmware's console does not show typed at its prompt since this boot began: the
   * firmware's own echo, not the harness's record of what it sent.
   */
  notEchoedAtFirmwarePrompt(commands: string[]): string[] {
    const prompt = this.config.firmware.prompt?.regex;
    if (!prompt) return commands;
    const stream = this.boot.sinceBoot();
    const echoes = [...stream.matchAll(new RegExp(prompt.source, 'g'))].map((m) => stream.slice(m.index! + m[0].length));
    return commands.filter((command) => !echoes.some((echo) => echo.startsWith(command)));
  }

  /** Whether the firmware showed its command prompt since this boot began. */
  firmwarePromptShown(): boolean {
    return this.config.firmware.prompt?.regex.test(this.boot.sinceBoot()) ?? false;
  }

  /**
   * The version root `n` reports once booted: 1 the image's own, 2 and 3 the upgrades in turn. Given for the
   * fixture and by `--image-version` and `--fs FILE=VERSION`; the image's own is otherwise read at the test's first boot.
   */
  version(n: RootNumber): string {
    const version = this.images?.versions[n] ?? (n === 1 ? this.boot.boots.find((b) => b.version !== undefined)?.version : undefined);
    if (version === undefined) {
      throw new UsageError(`the version of root ${n} is not known before the image has booted: give it with --image-version`);
    }
    return version;
  }

  /** Asserts which root the last boot brought up and its version; the message is the claim and what booted. */
  expectBooted(t: ExecutionContext, expected: { device?: string; version?: string }, claim: string): void {
    const { device, version } = this.booted;
    t.like({ device, version }, expected, `${claim}: booted ${device ?? '(no device)'}/${version ?? '(no version)'}`);
  }

  /** Reboots and boots on to a shell, as one named step. */
  async rebootToShell(step = 'reboot'): Promise<void> {
    await this.step(step, async () => {
      await this.boot.reboot();
      await this.boot.reach('shell');
    });
  }

  /** Runs a named, timed step; the report lists each step with its duration. */
  async step<T>(name: string, action: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let ok = false;
    try {
      const result = await action();
      ok = true;
      return result;
    } finally {
      const durationMs = Math.round(performance.now() - started);
      this.steps.push({ name, durationMs, ok });
      this.t.log(`${ok ? 'ok' : 'FAILED'} ${name} (${(durationMs / 1000).toFixed(1)} s)`);
    }
  }

  /**
   * Another machine of the same kind, target and accelerator, booting `image` (through its own
   * overlay), with its artefacts in a subfolder named `label`. Its boot server serves the same files
   * (e.g. the fixture's kernel), so that it boots as this one does. While this one is off, the other starts with
   * copies of its firmware files and the boot settings they hold: the same computer, started again with `image`
   * (after a power cut, say). Released when the test ends. `trackReads`: see MachineOptions (then
   * machine.diskTouched() tells what its guest read of `image`).
   */
  async otherMachine(image: string, label: string, extra: Pick<MachineOptions, 'trackReads'> = {}): Promise<{ machine: Machine; boot: BootPath }> {
    const { options } = this.machine;
    const machine = await Machine.create({
      ...options,
      ...extra,
      image,
      artifactDir: join(options.artifactDir, label),
      tap: undefined,
      checkpoint: undefined,
      servedFrom: options.servedFrom ?? dirname(options.image),
    });
    this.t.teardown(() => machine.release());
    if (!this.machine.running) await machine.copyFirmwareFrom(this.machine);
    const boot = new BootPath(machine, this.profile);
    if (this.images) boot.setWrittenFs(writtenFsOf(this.images));
    return { machine, boot };
  }

  /** The guest's name for the extra disk at `index` (0 = the first disk after the boot disk). */
  extraDiskDevice(index: number): string {
    const device = this.config.disk.guestDevices[index + 1];
    if (!device) throw new UsageError(`machine ${this.config.name} has no guest device for extra disk ${index}`);
    const names = this.profile.deviceNames;
    return names ? fill(names.disk, { n: String(index + 1) }) : device;
  }

  /** The guest's path of a root device's partition, e.g. hd0e → /dev/vda6 on the fixture, /dev/sd0e on OpenBSD. */
  partitionPath(device: string): string {
    const partition = this.profile.partitions[device];
    if (partition === undefined) throw new UsageError(`profile ${this.profile.name} has no partition for device ${device}`);
    const names = this.profile.deviceNames;
    return names ? fill(names.partition, { n: '0', partition }) : `${this.config.disk.guestDevices[0]}${partition}`;
  }

  /**
   * Feeds a .fs to the target's upgrade command. Resolves with its output once it exits 0 having
   * printed every progress step in order and its success line; throws otherwise.
   */
  async upgrade(input: string): Promise<string> {
    const command = this.upgradeCommand(input);
    const output = await this.shell.succeed(command, { timeoutMs: 300_000 });
    let from = 0;
    for (const step of this.profile.commands.upgradeSteps) {
      const at = output.indexOf(step, from);
      if (at < 0) throw new BootproofError(`the upgrade did not report "${step}" (in order):\n${output}`);
      from = at + step.length;
    }
    if (!this.profile.commands.upgradeDone.test(output)) {
      throw new BootproofError(`the upgrade exited 0 but did not report success:\n${output}`);
    }
    return output;
  }

  /** Feeds input to the upgrade command expecting a refusal; resolves with its output. */
  async upgradeRefused(input: string): Promise<string> {
    return this.shell.fail(this.upgradeCommand(input), { timeoutMs: 300_000 });
  }

  /** The target's upgrade command line reading `input`. */
  upgradeCommand(input: string): string {
    return fill(this.profile.commands.upgrade, { fs: input });
  }

  /** Saves one file from the in-memory /etc or /var to /cfg, by the target's own save command. */
  async save(path: string): Promise<string> {
    return this.shell.succeed(fill(this.profile.commands.save, { path }));
  }

  /** Reads the boot configuration from /mbr (mounted for the read, unmounted after). */
  async readBootConf(): Promise<string> {
    const { mountMbr, bootConf, unmountMbr } = this.profile.commands;
    return this.shell.succeed(`(${mountMbr} && cat ${bootConf}; status=$?; ${unmountMbr}; exit $status)`);
  }

  /** Replaces the boot configuration: a device to name, '' for an empty file, or null to remove it. */
  async writeBootConf(device: string | null): Promise<void> {
    const { mountMbr, bootConf, unmountMbr, bootConfLine } = this.profile.commands;
    const change = device === null ? `rm ${bootConf}` : device === '' ? `: > ${bootConf}` : `echo '${fill(bootConfLine, { device })}' > ${bootConf}`;
    await this.shell.succeed(`(${mountMbr} && ${change} && sync; status=$?; ${unmountMbr}; exit $status)`);
  }

  /** Disk filesystems mounted read-write right now, one per line ('' when none). */
  async writableDiskMounts(): Promise<string> {
    return (await this.shell.succeed(this.profile.commands.writableDiskMounts)).trim();
  }

  /** Runs the read-only filesystem check of /cfg; resolves with its output, throws if it is not clean. */
  async checkCfg(): Promise<string> {
    return this.shell.succeed(this.profile.commands.checkCfg);
  }
}

/**
 * The .fs of each root version of the run and its sha256, from the manifest (`root-vN.fs`; for a user's image, root 1
 * is the image's own default root as given). A version without a known sha256 has no disk witness.
 */
function writtenFsOf(images: Fixture): (version: string) => { file: string; sha256: () => Promise<string> } | undefined {
  return (version) => {
    const n = ([3, 2, 1] as const).find((k) => images.versions[k] === version);
    const sha256 = n && images.manifest.files[`root-v${n}.fs`]?.sha256;
    if (!n || !sha256) return undefined;
    const file = n === 1 && images.manifest.arch === 'user' ? `${images.disk} (its root as given)` : images.rootFs[n];
    return { file, sha256: () => Promise.resolve(sha256) };
  };
}
