// Drives a machine from power-on to a requested state (firmware prompt, loader prompt, shell), timing each boot phase.
import type { BootTarget, StartOptions } from '../machine/protocols.ts';
import { fill, type TargetProfile } from '../config/profile.ts';
import type { FailFastPattern, Match } from '../console/console.ts';
import { Deadline } from '../deadline.ts';
import { BootproofError, StateError, UsageError } from '../errors.ts';
import type { FirmwarePrompt } from '../config/vm-config.ts';
import { Shell } from './shell.ts';
import { type BootRecord, type Phases } from '../results/model.ts';
import { agreedDevice, disagreement, rootDeviceOf } from './witnesses.ts';
import { bootLayout, type BootLayout } from '../image/boot-content.ts';
import { sha256OfDiskRange } from '../disk/overlay.ts';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';


/** `starting`: powered on or rebooted, the firmware runs by itself; `firmware`: at the firmware's prompt. */
export type BootState = 'off' | 'starting' | 'firmware' | 'loader' | 'shell';

/** Base time limits per phase (KVM scale; the console multiplies them for TCG). */
const limits = { firmware: 40_000, loader: 20_000, kernel: 40_000, userland: 30_000, interruptRepeat: 2_000 };

/** Where a boot path stood when it saved a checkpoint: enough for another boot path to resume it (BootPath.resume). */
export interface BootPathState {
  state: BootState;
  /** The boot that was running. */
  boot: BootRecord;
  /** The disks attached after the boot disk, which later power-ons attach again. */
  disks: string[];
}

export class BootPath {
  private state: BootState = 'off';
  private broken: Error | undefined;
  private phaseStart = 0;
  private startOptions: StartOptions = {};
  readonly boots: BootRecord[] = [];
  readonly shell: Shell;
  private readonly firmwareValues: Record<string, string> = {};

  constructor(
    private readonly target: BootTarget,
    readonly profile: TargetProfile,
  ) {
    this.shell = new Shell(() => this.target.console, { typingDelayMs: profile.shell.typingDelayMs });
    // The machine owns its power: when QEMU ends, whatever ended it, the next reach() powers on again.
    target.onExit(() => {
      this.state = 'off';
    });
    // Extra kernel arguments of the firmware's boot commands: none, except in a failover at the firmware.
    this.provideFirmwareValues({ kernelArguments: '' });
    if (profile.firmwareLoader) {
      this.provideFirmwareValues({
        loaderFile: profile.firmwareLoader.file,
        loaderPartition: String(profile.firmwareLoader.partition),
      });
    }
  }

  /** Values for the `{name}` placeholders of the firmware's boot commands (e.g. a boot server's address). */
  provideFirmwareValues(values: Record<string, string>): void {
    Object.assign(this.firmwareValues, values);
  }

  /** The firmware's boot commands with their placeholders filled. */
  firmwareBootCommands(): string[] {
    const boot = this.target.config.firmware.boot;
    return (boot?.commands ?? []).map((command) =>
      // `${name}` is the firmware's own variable syntax (U-Boot), left for the firmware to expand.
      command.replace(/(?<!\$)\{(\w+)\}/g, (_whole, key: string) => {
        const value = this.firmwareValues[key] ?? this.target.guestAddresses()[key];
        if (value === undefined) {
          throw new UsageError(
            `${this.target.config.file}: firmware boot command "${command}" needs a value for {${key}}: ` +
              `the target profile (${this.profile.name}) or the scenario must provide it`,
          );
        }
        return value;
      }),
    );
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
    await this.target.start(this.startOptions);
    // A write log records one run only; later power-ons keep the disks but not the log.
    this.startOptions = { disks: this.startOptions.disks };
    this.beginBoot('power-on');
  }

  /** Drives the machine to `target`, passing through each earlier state; the current state is a no-op. */
  async reach(target: 'firmware' | 'loader' | 'shell'): Promise<void> {
    if (this.broken) throw new BootproofError(`boot path broken earlier: ${firstLine(this.broken)}`, { cause: this.broken });
    if (target !== 'firmware' && !this.profile.stages[target]) {
      throw new UsageError(
        `profile ${this.profile.name} expects no ${target} (it has no "${target}" section), so reach('${target}') cannot know when it is there: ` +
          `wait for what the image shows with vm.console.waitFor, or use a profile that describes the ${target}`,
      );
    }
    try {
      await this.transition(target);
    } catch (error) {
      this.broken = error as Error;
      throw error;
    }
  }

  /**
   * Boots `device` for this boot only, as an operator fails over: at the loader prompt, or, on a machine whose
   * firmware loads the kernel itself, by the firmware's boot commands with the profile's kernel argument for it.
   */
  async bootDevice(device: string): Promise<void> {
    const { config } = this.target;
    if (config.firmware.boot?.failover === 'kernel-command-line') {
      const select = this.profile.kernel.selectDevice;
      if (!select) {
        throw new UsageError(
          `machine ${config.name} fails over on the kernel command line, but the target profile ${this.profile.name} ` +
            'declares no kernel.selectDevice (the kernel argument that boots a given root)',
        );
      }
      await this.reach('firmware');
      this.provideFirmwareValues({ kernelArguments: ` ${fill(select, { device })}` });
      this.lastBoot.requestedDevice = device;
      try {
        await this.reach('shell');
      } finally {
        this.provideFirmwareValues({ kernelArguments: '' });
      }
      return;
    }
    await this.reach('loader');
    await this.typeAtLoader(fill(this.profile.loader.selectDevice, { device }));
    this.lastBoot.requestedDevice = device;
    await this.reach('shell');
  }

  /** At the firmware prompt: types one command and returns what it printed up to the next prompt. */
  async typeAtFirmware(line: string): Promise<string> {
    if (this.state !== 'firmware') throw new StateError('type at the firmware prompt', this.state, 'firmware');
    const console = this.target.console;
    await console.sendLine(line, { echo: true, delayMs: this.firmwarePrompt().typingDelayMs });
    const start = console.streamText().length;
    const prompt = await console.waitFor(this.firmwarePrompt().regex, { timeoutMs: limits.firmware });
    return console.streamText(start, prompt.index).replace(/^\r?\n/, '');
  }

  /** Types one line at the loader prompt, waiting for its echo; the profile's selectDevice command asks for that device. */
  async typeAtLoader(line: string): Promise<void> {
    if (this.state !== 'loader') throw new StateError('type at the loader', this.state, 'loader');
    await this.target.console.sendLine(line, { echo: true });
    const selected = Object.keys(this.profile.partitions).find((device) => line === fill(this.profile.loader.selectDevice, { device }));
    if (selected) this.lastBoot.requestedDevice = selected;
  }

  /** At the loader prompt: boot, expecting the loader to refuse; returns its message once the prompt is back. */
  async bootExpectingLoaderFailure(): Promise<string> {
    if (this.state !== 'loader') throw new StateError('boot from the loader', this.state, 'loader');
    const console = this.target.console;
    await console.sendLine(this.profile.loader.boot, { echo: true });
    for (;;) {
      const result = await console.waitForAny(
        { failure: this.profile.loader.failure, booting: this.profile.loader.booting },
        { timeoutMs: limits.loader, allow: this.profile.failFast.map((f) => f.name) },
      );
      // A booting line for the device asked for: the loader may still refuse it, once it has looked at it.
      if (result.outcome === 'booting') this.expectRequestedDevice(result.match);
      if (result.outcome !== 'failure') continue;
      await console.waitFor(this.profile.loader.prompt, { timeoutMs: limits.loader });
      return result.match.text;
    }
  }

  /** Reboots from the shell with the target's reboot command (a clean shutdown runs first). */
  async reboot(): Promise<void> {
    if (this.state !== 'shell') throw new StateError('reboot', this.state, 'shell');
    await this.target.console.sendLine(this.profile.commands.reboot);
    this.beginBoot('reboot');
  }

  /** Ends QEMU with QMP `quit` (disks and NVRAM flushed); the next power-on is a QEMU restart. */
  async quit(): Promise<void> {
    await this.target.quit();
  }

  private readonly checkpoints = new Map<string, BootPathState>();

  /** Saves the running machine as a checkpoint in `dir`; restore(dir) comes back to this very state. */
  async checkpoint(dir: string): Promise<BootPathState> {
    if (this.state === 'off') throw new StateError('save a checkpoint', this.state, 'running');
    await this.target.checkpoint(dir);
    const saved: BootPathState = { state: this.state, boot: structuredClone(this.lastBoot), disks: this.startOptions.disks ?? [] };
    this.checkpoints.set(dir, saved);
    return saved;
  }

  /** Cuts power and resumes the checkpoint saved by checkpoint(dir): its disks, memory and boot state. */
  async restore(dir: string): Promise<void> {
    const saved = this.checkpoints.get(dir);
    if (!saved) throw new StateError(`restore ${dir}`, 'no checkpoint saved there', 'a checkpoint saved by this boot path');
    await this.resume(dir, saved);
  }

  /**
   * Cuts power and resumes a checkpoint that another boot path of the same kind of machine saved, where `saved`
   * (what its checkpoint() returned) says the boot stood; the boots record it as restored, named `label`.
   */
  async resume(dir: string, saved: BootPathState, label = dir.split('/').filter(Boolean).at(-1) ?? dir): Promise<void> {
    const started = performance.now();
    await this.target.crash();
    await this.target.useCheckpoint(dir);
    await this.target.start();
    this.state = saved.state;
    this.broken = undefined;
    this.startOptions = { disks: saved.disks };
    this.bootStreamStart = this.target.console.streamText().length;
    const { requestedDevice: _asked, start: _start, firmware: _typed, ...booted } = structuredClone(saved.boot);
    this.boots.push({ ...booted, phases: {}, restored: { checkpoint: label, ms: Math.round(performance.now() - started) } });
  }

  /**
   * At the shell after a resume: asks the running system again which root it runs (the profile's identify command
   * and the kernel's mounted root, those it has) and throws when that is not the root the boot record names.
   */
  async confirmIdentity(): Promise<void> {
    if (this.state !== 'shell') throw new StateError('confirm the running root', this.state, 'shell');
    const boot = this.lastBoot;
    const { command, commandPattern, rootCommand, rootPattern, deviceTemplate } = this.profile.identify;
    const claims: string[] = [];
    if (command && commandPattern) {
      const groups = commandPattern.exec(await this.shell.succeed(command))?.groups ?? {};
      if (groups.version !== undefined && groups.version !== boot.version) claims.push(`it reports version ${groups.version}`);
      const device = groups.device === undefined ? undefined : fill(deviceTemplate, { device: groups.device });
      if (device !== undefined && device !== boot.device) claims.push(`it reports ${device}`);
    }
    if (rootCommand && rootPattern) {
      const source = rootPattern.exec(await this.shell.succeed(rootCommand))?.groups?.source;
      const device = source === undefined ? undefined : rootDeviceOf(source, this.profile.partitions);
      if (device !== boot.device) claims.push(`the kernel has ${source ?? 'no root'} (${device ?? 'no root partition'}) mounted as its root`);
    }
    if (claims.length > 0) {
      throw new BootproofError(`the resumed machine is not the one its checkpoint recorded (${boot.device ?? 'no device'}, version ${boot.version ?? 'unknown'}): ${claims.join('; ')}`);
    }
  }

  /** Cuts power and puts the untouched base image back (a new overlay); the next power-on boots it from scratch. */
  async startOver(): Promise<void> {
    await this.powerCut();
    await this.target.resetDisk();
    this.broken = undefined;
  }

  /** Cuts power (SIGKILL of QEMU): nothing in flight is flushed. */
  async powerCut(): Promise<void> {
    await this.target.crash();
  }

  /** The console stream since the current boot began (firmware included). */
  sinceBoot(): string {
    return this.target.console.streamText().slice(this.bootStreamStart);
  }

  private bootStreamStart = 0;

  private beginBoot(start: BootRecord['start']): void {
    this.bootStreamStart = this.target.console.streamText().length;
    this.state = 'starting';
    this.phaseStart = performance.now();
    this.boots.push({ start, phases: {} });
  }

  private lap(phase: keyof Phases): void {
    const now = performance.now();
    this.lastBoot.phases[phase] = Math.round(now - this.phaseStart);
    this.phaseStart = now;
  }

  private async transition(target: 'firmware' | 'loader' | 'shell'): Promise<void> {
    if (this.state === target) return;
    if (this.state === 'off') await this.powerOn(this.startOptions);
    if (this.state === 'shell' && target !== 'shell') await this.reboot();
    if (target === 'firmware') {
      if (this.state !== 'starting') throw new StateError('reach the firmware prompt', this.state, 'starting');
      await this.toFirmwarePrompt();
      return;
    }
    if (this.state === 'starting' && this.firmwareNeedsBootCommands()) await this.toFirmwarePrompt();
    if (this.state === 'firmware') await this.startLoaderFromFirmware();
    if (target === 'loader') {
      if (this.state === 'starting') await this.loaderBanner();
      await this.interruptLoader();
      return;
    }
    if (this.state === 'loader') await this.target.console.sendLine(this.profile.loader.boot, { echo: true });
    else await this.loaderBanner();
    await this.toShell();
  }

  private firmwarePrompt(): FirmwarePrompt {
    const { config } = this.target;
    if (!config.firmware.prompt) {
      throw new UsageError(`machine ${config.name} declares no firmware prompt (firmware.prompt in ${config.file})`);
    }
    return config.firmware.prompt;
  }

  /** Whether the firmware must be told how to start the loader in this boot, given what it keeps. */
  private firmwareNeedsBootCommands(): boolean {
    const boot = this.target.config.firmware.boot;
    if (!boot) return false;
    switch (boot.persistence) {
      case 'none':
        return true;
      case 'reset':
        return this.lastBoot.start === 'power-on';
      case 'nvram':
        return this.target.firmwareSettingsSaved === undefined;
    }
  }

  /** Stops autoboot with the interrupt key, pressed again until the prompt shows (or waits for a prompt that comes by itself). */
  private async toFirmwarePrompt(): Promise<void> {
    const prompt = this.firmwarePrompt();
    const console = this.target.console;
    // No firmware-failure check here: a firmware that autobooted and failed comes to its prompt all the same.
    const failFast: FailFastPattern[] = [];
    if (prompt.interruptKey === undefined) {
      await console.waitFor(prompt.regex, { timeoutMs: limits.firmware, failFast });
    } else {
      if (prompt.interruptWindow) await console.waitFor(prompt.interruptWindow, { timeoutMs: limits.firmware, failFast });
      const deadline = this.target.time.deadline(limits.firmware);
      for (;;) {
        await console.send(prompt.interruptKey, 0);
        const result = await console.waitForAny(
          { prompt: prompt.regex },
          { deadline: new Deadline(prompt.repeatMs), softTimeout: !deadline.expired(), failFast },
        );
        if (result.outcome === 'prompt') break;
      }
      if (prompt.clearTypeAhead) {
        await console.sendLine('');
        await console.waitFor(prompt.regex, { timeoutMs: limits.firmware, failFast });
      }
    }
    this.state = 'firmware';
  }

  /** Types the firmware's boot commands at its prompt, each after the prompt; the last one starts the loader. */
  private async startLoaderFromFirmware(): Promise<void> {
    const { firmware } = this.target.config;
    if (!firmware.boot) throw new UsageError(`machine ${this.target.config.name} declares no firmware boot commands (firmware.boot)`);
    const commands = this.firmwareBootCommands();
    const console = this.target.console;
    const typed: string[] = [];
    this.lastBoot.firmware = { typed, persistence: firmware.boot.persistence };
    for (const [i, command] of commands.entries()) {
      if (i > 0) await console.waitFor(this.firmwarePrompt().regex, { timeoutMs: limits.firmware, failFast: this.firmwareFailFast() });
      await console.sendLine(command, { echo: true, delayMs: this.firmwarePrompt().typingDelayMs });
      typed.push(command);
    }
    if (firmware.boot.persistence === 'nvram') this.target.rememberFirmwareSettings(commands);
    this.state = 'starting';
  }

  private firmwareFailFast(): FailFastPattern[] {
    const failure = this.target.config.firmware.boot?.failure;
    return failure ? [{ name: 'firmware boot failure', regex: failure }] : [];
  }

  private async loaderBanner(): Promise<void> {
    await this.target.console.waitFor(this.profile.loader.banner, { timeoutMs: limits.firmware, failFast: this.firmwareFailFast() });
    this.lap('firmwareMs');
  }

  /** Presses the interrupt key when the loader offers it, again until the prompt shows. */
  private async interruptLoader(): Promise<void> {
    const console = this.target.console;
    await console.waitFor(this.profile.loader.interruptWindow, { timeoutMs: limits.loader });
    const deadline = this.target.time.deadline(limits.loader);
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
    const console = this.target.console;
    const resetLoop: FailFastPattern[] = [{ name: 'unplanned firmware restart', regex: this.target.config.firmware.banner }];
    const boot = this.lastBoot;
    const booting = await console.waitFor(this.profile.loader.booting, { timeoutMs: limits.loader });
    this.lap('loaderMs');
    this.expectRequestedDevice(booting);
    const started = await console.waitFor(this.profile.kernel.userlandStarted, { timeoutMs: limits.kernel, failFast: resetLoop });
    this.lap('kernelMs');
    if (this.profile.identify.console) {
      // The line that ended the kernel phase may be the one that names the root (OpenBSD's "root on sd0d").
      const inStarted = this.profile.identify.console.exec(started.text);
      const found = inStarted ?? (await console.waitFor(this.profile.identify.console, { timeoutMs: limits.userland, failFast: resetLoop }));
      this.identify({ ...found.groups });
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
    await this.readKernelRoot();
    this.settleDevice();
    await this.checkWrittenFs();
    const previous = this.boots[this.boots.length - 2];
    if (previous?.bootId && previous.bootId === boot.bootId) {
      throw new BootproofError(`the machine did not really reboot: boot id ${boot.bootId} is unchanged`);
    }
  }

  private async login(): Promise<void> {
    const { login, user, password } = this.profile.shell;
    if (!login || !user) return;
    const console = this.target.console;
    await console.waitFor(login, { timeoutMs: limits.userland });
    await console.sendLine(user);
    if (password) {
      await console.waitFor(password, { timeoutMs: limits.userland });
      await console.sendLine('');
    }
  }

  /** Records the loader's booting line as its witness; fails at once when it names another device than the one asked for. */
  private expectRequestedDevice(booting: Match): void {
    const boot = this.lastBoot;
    const device = booting.groups.device;
    if (!device) return;
    boot.witnesses = { ...boot.witnesses, loader: device };
    if (boot.requestedDevice && device !== boot.requestedDevice) {
      throw new BootproofError(`the loader was asked to boot ${boot.requestedDevice} but is booting ${device}`);
    }
  }

  /** The kernel's witness: the root in its mount table, by the profile's root command. */
  private async readKernelRoot(): Promise<void> {
    const { rootCommand, rootPattern } = this.profile.identify;
    if (!rootCommand || !rootPattern) return;
    const output = await this.shell.succeed(rootCommand);
    const source = rootPattern.exec(output)?.groups?.source;
    if (!source) throw new BootproofError(`cannot read the mounted root: \`${rootCommand}\` printed ${JSON.stringify(output)}`);
    const boot = this.lastBoot;
    boot.witnesses = { ...boot.witnesses, kernelRoot: { source, device: rootDeviceOf(source, this.profile.partitions) } };
  }

  /** Sets the booted device to what the witnesses agree on; fails the boot, naming two of them, when they do not. */
  private settleDevice(): void {
    const boot = this.lastBoot;
    if (!boot.witnesses) return;
    const conflict = disagreement(boot.witnesses, this.profile.partitions);
    if (conflict) throw new BootproofError(`the witnesses of this boot disagree: ${conflict}`);
    boot.device = agreedDevice(boot.witnesses);
  }

  /**
   * The .fs each version's root was written from, for a profile whose upgrade writes it verbatim
   * (`commands.fsWrittenVerbatim`): after each boot the booted root, read on the host, must be that file.
   */
  setWrittenFs(lookup: (version: string) => { file: string; sha256: () => Promise<string> } | undefined): void {
    this.writtenFs = lookup;
  }

  private writtenFs?: (version: string) => { file: string; sha256: () => Promise<string> } | undefined;
  private rootRegions?: Promise<BootLayout['roots'] | undefined>;

  /** The disk witness: the booted partition's sha256 on the machine's disk against the .fs of the version reported. */
  private async checkWrittenFs(): Promise<void> {
    const boot = this.lastBoot;
    const { device, version } = boot;
    const disk = this.target.disk;
    if (!this.profile.commands.fsWrittenVerbatim || !this.writtenFs || !disk || !device || !version) return;
    const fs = this.writtenFs(version);
    // Partition tables are read from the base image: an upgrade never changes them.
    this.rootRegions ??= bootLayout(disk.base, this.profile.partitions).then((l) => l.roots, () => undefined);
    const partition = (await this.rootRegions)?.get(device);
    if (!fs || !partition) return;
    const scratch = join(tmpdir(), `bp-${process.pid}-root-witness-${randomBytes(4).toString('hex')}.raw`);
    const sha256 = await sha256OfDiskRange(disk.path, partition.startByte, partition.bytes, scratch);
    const fileSha256 = await fs.sha256();
    boot.witnesses = { ...boot.witnesses, fs: { device, sha256, file: fs.file, fileSha256 } };
    if (sha256 !== fileSha256) {
      throw new BootproofError(
        `the witnesses of this boot disagree: the image reports version ${version}, but root ${device} on the disk (sha256 ${sha256}) is not ${fs.file} (sha256 ${fileSha256}), the .fs written there`,
      );
    }
  }

  private identify(groups: Record<string, string | undefined>): void {
    const boot = this.lastBoot;
    if (groups.device) boot.witnesses = { ...boot.witnesses, image: fill(this.profile.identify.deviceTemplate, { device: groups.device }) };
    if (groups.version) boot.version = groups.version;
    if (groups.bootId) boot.bootId = groups.bootId;
  }
}

function firstLine(error: Error): string {
  return error.message.split('\n')[0] ?? '';
}
