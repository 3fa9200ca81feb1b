// What a scenario works with: a machine, its boot path and shell, the target profile, and the target's verbs.
import type { ExecutionContext } from 'ava';
import type { VmConfig } from '../config/vm-config.ts';
import { fill, type TargetProfile } from '../config/profile.ts';
import type { Machine } from '../machine.ts';
import type { BootPath, BootRecord } from '../boot/boot-path.ts';
import type { Shell } from '../boot/shell.ts';
import type { Console } from '../console/console.ts';
import type { Fixture } from '../fixture/fixture.ts';
import { UsageError } from '../errors.ts';
import type { StepRecord } from '../report/record.ts';

export class TestMachine {
  readonly steps: StepRecord[] = [];

  constructor(
    private readonly t: ExecutionContext,
    readonly config: VmConfig,
    readonly profile: TargetProfile,
    readonly fixture: Fixture,
    readonly machine: Machine,
    readonly boot: BootPath,
  ) {}

  get shell(): Shell {
    return this.boot.shell;
  }

  get console(): Console {
    return this.machine.console;
  }

  /** What the last boot brought up: device, version, boot id. */
  get booted(): BootRecord {
    return this.boot.lastBoot;
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

  /** The guest's name for the extra disk at `index` (0 = the first disk after the boot disk). */
  extraDiskDevice(index: number): string {
    const device = this.config.disk.guestDevices[index + 1];
    if (!device) throw new UsageError(`machine ${this.config.name} has no guest device for extra disk ${index}`);
    return device;
  }

  /** Feeds a .fs to the target's upgrade command; resolves with its output once it reports success. */
  async upgrade(input: string): Promise<string> {
    const command = fill(this.profile.commands.upgrade, { fs: input });
    const output = await this.shell.succeed(command, { timeoutMs: 300_000 });
    if (!this.profile.commands.upgradeDone.test(output)) {
      throw new UsageError(`upgrade exited 0 but did not report success:\n${output}`);
    }
    return output;
  }

  /** Feeds input to the upgrade command expecting a refusal; resolves with its output. */
  async upgradeRefused(input: string): Promise<string> {
    const command = fill(this.profile.commands.upgrade, { fs: input });
    return this.shell.fail(command, { timeoutMs: 300_000 });
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
}
