// Drives a machine from power-on to a requested state (loader prompt, shell), timing each boot phase.
import type { Machine, StartOptions } from '../machine.ts';
import { fill, type TargetProfile } from '../config/profile.ts';
import type { FailFastPattern } from '../console/console.ts';
import { Deadline } from '../deadline.ts';
import { BootproofError, StateError } from '../errors.ts';
import { Shell } from './shell.ts';

export type BootState = 'off' | 'firmware' | 'loader' | 'shell';

export interface Phases {
  firmwareMs?: number;
  loaderMs?: number;
  kernelMs?: number;
  userlandMs?: number;
}

/** One boot of the machine: how it was asked for, what came up, how long each phase took. */
export interface BootRecord {
  requestedDevice?: string;
  device?: string;
  version?: string;
  bootId?: string;
  phases: Phases;
}

/** Base time limits per phase (KVM scale; the console multiplies them for TCG). */
const limits = { firmware: 40_000, loader: 20_000, kernel: 40_000, userland: 30_000, interruptRepeat: 2_000 };

export class BootPath {
  private state: BootState = 'off';
  private broken: Error | undefined;
  private phaseStart = 0;
  private startOptions: StartOptions = {};
  readonly boots: BootRecord[] = [];
  readonly shell: Shell;

  constructor(
    readonly machine: Machine,
    readonly profile: TargetProfile,
  ) {
    this.shell = new Shell(() => this.machine.console, { typingDelayMs: profile.shell.typingDelayMs });
  }

  /** The boot that is running (or ran last). */
  get lastBoot(): BootRecord {
    const boot = this.boots[this.boots.length - 1];
    if (!boot) throw new StateError('read the booted system', this.state, 'shell');
    return boot;
  }

  /** Powers on with these disks attached (by default those of the last power-on); a no-op when already on. */
  async powerOn(options?: StartOptions): Promise<void> {
    if (this.state !== 'off') return;
    if (options) this.startOptions = options;
    await this.machine.start(this.startOptions);
    // A write log records one run only; later power-ons keep the disks but not the log.
    this.startOptions = { disks: this.startOptions.disks };
    this.beginBoot();
  }

  /** Drives the machine to `target`, passing through each earlier state; the current state is a no-op. */
  async reach(target: 'loader' | 'shell'): Promise<void> {
    if (this.broken) throw new BootproofError(`boot path broken earlier: ${firstLine(this.broken)}`, { cause: this.broken });
    try {
      await this.transition(target);
    } catch (error) {
      this.broken = error as Error;
      throw error;
    }
  }

  /** At the loader prompt: boot `device` for this boot only (the failover an operator types). */
  async bootDevice(device: string): Promise<void> {
    await this.reach('loader');
    await this.typeAtLoader(fill(this.profile.loader.selectDevice, { device }));
    this.lastBoot.requestedDevice = device;
    await this.reach('shell');
  }

  /** Types one line at the loader prompt, waiting for its echo. */
  async typeAtLoader(line: string): Promise<void> {
    if (this.state !== 'loader') throw new StateError('type at the loader', this.state, 'loader');
    await this.machine.console.sendLine(line, { echo: true });
  }

  /** At the loader prompt: boot, expecting the loader to refuse; returns its message once the prompt is back. */
  async bootExpectingLoaderFailure(): Promise<string> {
    if (this.state !== 'loader') throw new StateError('boot from the loader', this.state, 'loader');
    const console = this.machine.console;
    await console.sendLine(this.profile.loader.boot, { echo: true });
    const failure = await console.waitFor(this.profile.loader.failure, {
      timeoutMs: limits.loader,
      allow: this.profile.failFast.map((f) => f.name),
    });
    await console.waitFor(this.profile.loader.prompt, { timeoutMs: limits.loader });
    return failure.text;
  }

  /** Reboots from the shell with the target's reboot command (a clean shutdown runs first). */
  async reboot(): Promise<void> {
    if (this.state !== 'shell') throw new StateError('reboot', this.state, 'shell');
    await this.machine.console.sendLine(this.profile.commands.reboot);
    this.beginBoot();
  }

  /** Cuts power (SIGKILL of QEMU): nothing in flight is flushed. */
  async powerCut(): Promise<void> {
    await this.machine.powerCut();
    this.state = 'off';
  }

  /** The console stream since the current boot began (firmware included). */
  sinceBoot(): string {
    return this.machine.console.streamText().slice(this.bootStreamStart);
  }

  private bootStreamStart = 0;

  private beginBoot(): void {
    this.bootStreamStart = this.machine.console.streamText().length;
    this.state = 'firmware';
    this.phaseStart = performance.now();
    this.boots.push({ phases: {} });
  }

  private lap(phase: keyof Phases): void {
    const now = performance.now();
    this.lastBoot.phases[phase] = Math.round(now - this.phaseStart);
    this.phaseStart = now;
  }

  private async transition(target: 'loader' | 'shell'): Promise<void> {
    if (this.state === target) return;
    if (this.state === 'off') await this.powerOn(this.startOptions);
    if (target === 'loader') {
      if (this.state === 'shell') await this.reboot();
      await this.loaderBanner();
      await this.interruptLoader();
      return;
    }
    if (this.state === 'loader') await this.machine.console.sendLine(this.profile.loader.boot, { echo: true });
    else await this.loaderBanner();
    await this.toShell();
  }

  private async loaderBanner(): Promise<void> {
    await this.machine.console.waitFor(this.profile.loader.banner, { timeoutMs: limits.firmware });
    this.lap('firmwareMs');
  }

  /** Presses the interrupt key when the loader offers it, again until the prompt shows. */
  private async interruptLoader(): Promise<void> {
    const console = this.machine.console;
    await console.waitFor(this.profile.loader.interruptWindow, { timeoutMs: limits.loader });
    const deadline = new Deadline(limits.loader * this.machine.timeFactor);
    for (;;) {
      await console.send(this.profile.loader.interruptKey, 0);
      const result = await console.waitForAny(
        { prompt: this.profile.loader.prompt },
        { timeoutMs: limits.interruptRepeat, softTimeout: !deadline.expired() },
      );
      if (result.outcome === 'prompt') break;
    }
    this.state = 'loader';
  }

  private async toShell(): Promise<void> {
    const console = this.machine.console;
    const resetLoop: FailFastPattern[] = [{ name: 'unplanned firmware restart', regex: this.machine.options.config.firmware.banner }];
    await console.waitFor(this.profile.loader.booting, { timeoutMs: limits.loader });
    this.lap('loaderMs');
    await console.waitFor(this.profile.kernel.userlandStarted, { timeoutMs: limits.kernel, failFast: resetLoop });
    this.lap('kernelMs');
    const boot = this.lastBoot;
    if (this.profile.identify.console) {
      const found = await console.waitFor(this.profile.identify.console, { timeoutMs: limits.userland, failFast: resetLoop });
      this.identify(found.groups);
    }
    await this.login();
    await console.waitFor(this.profile.shell.prompt, { timeoutMs: limits.userland, failFast: resetLoop });
    this.lap('userlandMs');
    this.state = 'shell';
    const { command, commandPattern } = this.profile.identify;
    if (command && commandPattern) {
      const output = await this.shell.succeed(command);
      const found = commandPattern.exec(output);
      if (!found) throw new BootproofError(`cannot identify the booted system: \`${command}\` printed ${JSON.stringify(output)}`);
      this.identify({ ...found.groups });
    }
    const previous = this.boots[this.boots.length - 2];
    if (previous?.bootId && previous.bootId === boot.bootId) {
      throw new BootproofError(`the machine did not really reboot: boot id ${boot.bootId} is unchanged`);
    }
  }

  private async login(): Promise<void> {
    const { login, user, password } = this.profile.shell;
    if (!login || !user) return;
    const console = this.machine.console;
    await console.waitFor(login, { timeoutMs: limits.userland });
    await console.sendLine(user);
    if (password) {
      await console.waitFor(password, { timeoutMs: limits.userland });
      await console.sendLine('');
    }
  }

  private identify(groups: Record<string, string | undefined>): void {
    const boot = this.lastBoot;
    if (groups.device) boot.device = fill(this.profile.identify.deviceTemplate, { device: groups.device });
    if (groups.version) boot.version = groups.version;
    if (groups.bootId) boot.bootId = groups.bootId;
  }
}

function firstLine(error: Error): string {
  return error.message.split('\n')[0] ?? '';
}
