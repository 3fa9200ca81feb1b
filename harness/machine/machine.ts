// A Machine: one emulated computer with its own overlay disk, firmware variables, QEMU process, console and QMP.
import { appendFile, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { assertRunnable, type VmConfig } from '../config/vm-config.ts';
import type { TargetProfile } from '../config/profile.ts';
import { buildArgv, type Drive } from '../qemu/argv.ts';
import { QemuProcess, type ExitInfo } from '../qemu/process.ts';
import { QmpClient } from '../qemu/qmp.ts';
import { Console } from '../console/console.ts';
import { AsciicastWriter } from '../console/asciicast.ts';
import { createOverlay, overlayExtents, rebaseOverlay } from '../disk/overlay.ts';
import type { Extent } from '../disk/write-log.ts';
import { rewriteFlashCode } from '../qemu/flash-image.ts';
import { TimeScale, type Accel } from '../deadline.ts';
import { StateError, UsageError } from '../errors.ts';
import type { BootServer } from '../net/boot-server.ts';
import type { MetadataService } from '../net/metadata-service.ts';
import {
  checkpointFiles,
  loadState,
  readCheckpointInfo,
  restoreFirmwareFiles,
  saveDrives,
  saveState,
  writeCheckpointInfo,
  type CheckpointInfo,
} from '../qemu/checkpoint.ts';
import { prepareFiles, trackedClusterBytes, type PreparedFiles } from './prepare.ts';
import { MachineServices } from './services.ts';
import type { BootTarget, StartOptions } from './protocols.ts';

export type { StartOptions };

export interface MachineOptions {
  config: VmConfig;
  profile: TargetProfile;
  /** The base disk image; never written. */
  image: string;
  accel: Accel;
  /** Where the console transcript, recording and QEMU's stderr are kept. */
  artifactDir: string;
  /** Hard ceiling for each QEMU process, in seconds. */
  ceilingSeconds?: number;
  /** Sees every raw console chunk before the console does (benchmarks, the interactive console). */
  tap?: (raw: string) => void;
  /** Boot the image itself, so that the guest's writes change it (the interactive console's --write). */
  writeImage?: boolean;
  /** Start from this checkpoint folder (see checkpoint()) instead of powering on: disks, firmware variables, RAM. */
  checkpoint?: string;
  /** The folder of the files the boot server serves (`network.serve`); by default the base image's. */
  servedFrom?: string;
  /**
   * Copy into the overlay whatever the guest reads of the base image (QEMU's copy-on-read), so that diskTouched() can
   * tell every part of the disk the guest's run depended on.
   */
  trackReads?: boolean;
}

export interface MachineArtifacts {
  transcript: string;
  cast: string;
  qemuStderr: string;
  /** One JSON line per QEMU start: the binary, its arguments and the extra disks, as data (launches.jsonl). */
  launches: string;
  /** Every request to the boot server (machines with a NIC). */
  bootServerLog?: string;
}

type MachineState = 'off' | 'running';

/** One QEMU start, as launches.jsonl records it. */
export interface Launch {
  binary: string;
  args: string[];
  /** The read-only disks attached after the boot disk, in guest order. */
  disks: string[];
  /** The checkpoint folder the start resumed, if any. */
  checkpoint?: string;
}

export class Machine implements BootTarget {
  readonly name: string;
  readonly time: TimeScale;
  readonly artifacts: MachineArtifacts;
  private state: MachineState = 'off';
  private process: QemuProcess | undefined;
  private currentConsole: Console | undefined;
  private currentQmp: QmpClient | undefined;
  private readonly cast: AsciicastWriter;
  private readonly exitListeners: (() => void)[] = [];
  private starts = 0;
  private savedFirmwareSettings: string[] | undefined;

  private constructor(
    readonly options: MachineOptions,
    private readonly files: PreparedFiles,
    private readonly services: MachineServices | undefined,
  ) {
    this.pendingCheckpoint = options.checkpoint;
    this.savedFirmwareSettings = files.checkpoint?.firmwareSettings;
    this.name = `bootproof-${options.config.name}-${randomBytes(4).toString('hex')}`;
    this.time = new TimeScale(options.accel);
    this.artifacts = {
      transcript: join(options.artifactDir, 'console.txt'),
      cast: join(options.artifactDir, 'console.cast'),
      qemuStderr: join(options.artifactDir, 'qemu-stderr.log'),
      launches: join(options.artifactDir, 'launches.jsonl'),
      ...(services ? { bootServerLog: services.bootServer.logFile } : {}),
    };
    this.cast = new AsciicastWriter(this.artifacts.cast, 80, 25, `${options.config.name}: ${options.image}`);
  }

  /** Prepares the private folder, the overlay over the base image, the firmware files and, with a NIC, the services. */
  static async create(options: MachineOptions): Promise<Machine> {
    assertRunnable(options.config);
    await mkdir(options.artifactDir, { recursive: true });
    const files = await prepareFiles(options);
    try {
      const services = options.config.network
        ? await MachineServices.start(options.config, {
            folder: join(files.workDir.path, 'boot'),
            log: join(options.artifactDir, 'boot-server.log'),
            servedFrom: options.servedFrom ?? MachineServices.defaultServedFrom(options.image),
            instance: `bootproof-${options.config.name}`,
          })
        : undefined;
      return new Machine(options, files, services);
    } catch (error) {
      await files.workDir.cleanup();
      throw error;
    }
  }

  get config(): VmConfig {
    return this.options.config;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  get console(): Console {
    if (!this.currentConsole) throw new StateError('use the console', this.state, 'running');
    return this.currentConsole;
  }

  get qmp(): QmpClient {
    if (!this.currentQmp) throw new StateError('use QMP', this.state, 'running');
    return this.currentQmp;
  }

  /** The VM's instance metadata service, on its boot server (machines with a NIC only). */
  get metadata(): MetadataService {
    return this.network.metadata;
  }

  /** The VM's boot server: its folder is served over TFTP and HTTP (machines with a NIC only). */
  get bootServer(): BootServer {
    return this.network.bootServer;
  }

  private get network(): MachineServices {
    if (!this.services) throw new UsageError(`machine ${this.options.config.name} has no NIC, so no boot server or metadata service`);
    return this.services;
  }

  guestAddresses(): Record<string, string> {
    return this.services?.guestAddresses() ?? {};
  }

  get firmwareSettingsSaved(): string[] | undefined {
    return this.savedFirmwareSettings;
  }

  rememberFirmwareSettings(commands: string[]): void {
    this.savedFirmwareSettings = commands;
  }

  /**
   * While both are off: this machine's firmware files (NVRAM, UEFI variables, U-Boot flash) become copies of
   * `other`'s, and so do the boot settings they hold, as if `other` were started again with this one's disk.
   */
  async copyFirmwareFrom(other: Machine): Promise<void> {
    if (other.options.config.name !== this.options.config.name) {
      throw new UsageError(`machine ${this.options.config.name} cannot take the firmware files of a ${other.options.config.name}`);
    }
    if (this.state !== 'off' || other.state !== 'off') throw new StateError('copy firmware files', 'a machine is running', 'off');
    const { vars, flash } = this.files.firmware;
    if (vars && other.files.firmware.vars) await copyFile(other.files.firmware.vars, vars);
    if (flash && other.files.firmware.flash) await copyFile(other.files.firmware.flash, flash);
    this.savedFirmwareSettings = other.savedFirmwareSettings;
  }

  onExit(listener: () => void): void {
    this.exitListeners.push(listener);
  }

  /** A path in the machine's private folder (removed at release), e.g. for a checkpoint used during one test. */
  privatePath(name: string): string {
    return join(this.files.workDir.path, name);
  }

  get overlayPath(): string {
    return this.files.disk.path;
  }

  get disk(): { path: string; base: string } {
    return { path: this.files.disk.path, base: this.options.image };
  }

  /** Powers on: spawns QEMU and connects QMP. Returns once QEMU runs; the boot path waits for the boot. */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.state !== 'off') throw new StateError('start', this.state, 'off');
    const { config, profile } = this.options;
    const restoring = this.pendingCheckpoint;
    this.pendingCheckpoint = undefined;
    const saved = restoring ? await readCheckpointInfo(restoring) : undefined;
    const disks = saved ? saved.extraDisks : (options.disks ?? []);
    this.extraDisks = disks;
    this.pluggedDisks = [];
    this.plugged = 0;
    const { code, flash } = config.firmware;
    const { firmware, disk, workDir } = this.files;
    if (!restoring && firmware.flash && code && flash) await rewriteFlashCode(code, flash, firmware.flash);
    const extraDisks: Drive[] = disks.map((path) => ({ path: resolve(path), format: 'raw', readOnly: true }));
    if (1 + extraDisks.length > config.disk.guestDevices.length) {
      throw new UsageError(`machine ${config.name} takes at most ${config.disk.guestDevices.length - 1} extra disks`);
    }
    const qmpSocket = join(workDir.path, `qmp-${++this.starts}.sock`);
    if (options.writeLog && this.options.trackReads) throw new UsageError('a machine that tracks its reads cannot record its writes too');
    // blklogwrites never truncates its log: a reused file would keep a stale tail.
    if (options.writeLog) await writeFile(options.writeLog, '', { flag: 'wx' });
    const server = this.services?.bootServer;
    const argv = buildArgv(
      config,
      {
        disk,
        extraDisks,
        qmpSocket,
        firmwareVars: firmware.vars,
        firmwareFlash: firmware.flash,
        writeLog: options.writeLog,
        incoming: saved !== undefined,
        ...(server ? { network: { tftpFolder: server.folder, capture: server.newCapture(workDir.path) } } : {}),
      },
      { accel: this.options.accel, name: this.name },
    );
    const launch: Launch = { binary: config.qemu.binary, args: argv, disks: extraDisks.map((d) => d.path), ...(restoring ? { checkpoint: restoring } : {}) };
    await appendFile(this.artifacts.launches, JSON.stringify(launch) + '\n');
    await appendFile(this.artifacts.qemuStderr, `# ${config.qemu.binary} ${argv.join(' ')}\n`);
    const process = new QemuProcess({
      binary: config.qemu.binary,
      args: argv,
      stderrLog: this.artifacts.qemuStderr,
      ceilingSeconds: this.options.ceilingSeconds ?? 3600,
      cwd: workDir.path,
    });
    const console = new Console({
      write: (data) => process.write(data),
      time: this.time,
      failFast: profile.failFast,
      typingDelayMs: profile.loader.typingDelayMs,
      onOutput: (raw) => this.cast.output(raw),
      onInput: (data) => this.cast.input(data),
    });
    const tap = this.options.tap;
    process.onData(tap ? (data) => (tap(data), console.feed(data)) : (data) => console.feed(data));
    this.process = process;
    this.currentConsole = console;
    this.state = 'running';
    void process.exited.then((info) => this.ended(process, console, info));
    try {
      this.currentQmp = await QmpClient.connect(qmpSocket, this.time.ms(10_000));
      if (restoring && saved) {
        for (const disk of saved.pluggedDisks) await this.plugDisk(disk);
        await loadState(this.currentQmp, restoring, this.time.ms(120_000));
        console.inputReady();
        if (saved.wasRunning && !options.paused) await this.currentQmp.execute('cont');
      }
    } catch (error) {
      await this.crash();
      throw error;
    }
  }

  private extraDisks: string[] = [];
  private pluggedDisks: string[] = [];
  /** The checkpoint the next start() restores instead of powering on. */
  private pendingCheckpoint: string | undefined;

  /** While off: the next start() resumes from the checkpoint in `dir` (its disk, firmware files and RAM). */
  async useCheckpoint(dir: string): Promise<void> {
    if (this.state !== 'off') throw new StateError('restore a checkpoint', this.state, 'off');
    if (this.options.writeImage) throw new UsageError('a checkpoint cannot be restored onto the image itself (--write)');
    if (this.options.trackReads) throw new UsageError('a machine that tracks its reads cannot restore a checkpoint: its disk would not be the image');
    const saved = await readCheckpointInfo(dir);
    await rm(this.overlayPath, { force: true });
    await createOverlay(join(dir, checkpointFiles.disk), this.overlayPath);
    await restoreFirmwareFiles(dir, this.files.firmware);
    this.savedFirmwareSettings = saved.firmwareSettings;
    this.pendingCheckpoint = dir;
  }

  /**
   * Saves a checkpoint into `dir`: the VM stops, its RAM and device state go to a file, its disk overlay and writable
   * firmware files are copied. The VM runs on afterwards if it ran before (or as `resume` says). Machine.create with
   * `checkpoint: dir` starts a VM from it. `onBaseImage`: the saved disk depends on the base image alone, not on
   * the checkpoints the machine was resumed from.
   */
  async checkpoint(dir: string, options: { resume?: boolean; onBaseImage?: boolean } = {}): Promise<CheckpointInfo> {
    if (this.options.writeImage) throw new UsageError('no checkpoint while booting the image itself (--write): its disk is not an overlay');
    const qmp = this.qmp;
    const { running } = await qmp.execute<{ running: boolean }>('query-status');
    await saveState(qmp, dir, this.time.ms(120_000));
    await saveDrives(dir, this.overlayPath, this.files.firmware);
    // A machine resumed from a shared state runs on an overlay over that state's disk, which its run removes.
    if (options.onBaseImage) await rebaseOverlay(join(dir, checkpointFiles.disk), this.options.image);
    const info = await writeCheckpointInfo(
      dir,
      {
        machine: this.options.config.name,
        image: resolve(this.options.image),
        extraDisks: this.extraDisks,
        pluggedDisks: this.pluggedDisks,
        accel: this.options.accel,
        profile: this.options.profile.name,
        savedAt: new Date().toISOString(),
        wasRunning: running,
        ...(this.savedFirmwareSettings ? { firmwareSettings: this.savedFirmwareSettings } : {}),
      },
      this.console.screenText(),
    );
    if (options.resume ?? running) await qmp.execute('cont');
    return info;
  }

  /** A power cut: SIGKILL of QEMU's process group; nothing in flight is flushed. */
  async crash(): Promise<void> {
    const process = this.process;
    if (!process) return;
    await process.kill();
    await this.settled(process);
  }

  /** QMP `quit`: QEMU flushes its disks and exits, like pulling the plug after a sync. A QEMU that does not is killed, and that is an error. */
  async quit(): Promise<void> {
    const process = this.process;
    if (!process) return;
    try {
      await this.currentQmp?.execute('quit');
    } catch {
      // the socket closes as QEMU exits
    }
    await this.awaitExit(process, 10_000, 'QEMU to end after QMP quit');
  }

  /** A polite poweroff: the ACPI power button (QMP system_powerdown), then a wait for the guest to end QEMU. */
  async shutdown(timeoutMs = 60_000): Promise<ExitInfo> {
    const process = this.process;
    if (!process) throw new StateError('shut down', this.state, 'running');
    await this.qmp.execute('system_powerdown');
    return this.awaitExit(process, timeoutMs, 'the guest to power off after the ACPI power button');
  }

  /** Waits until QEMU exits by itself (after a guest poweroff); cuts power and throws if it does not within the time limit. */
  async waitForExit(timeoutMs = 60_000): Promise<ExitInfo> {
    const process = this.process;
    if (!process) throw new StateError('wait for exit', this.state, 'running');
    return this.awaitExit(process, timeoutMs, 'QEMU to exit by itself');
  }

  /** Resolves when the running QEMU ends, for whatever reason (undefined when none runs). */
  async exited(): Promise<ExitInfo | undefined> {
    const process = this.process;
    if (!process) return undefined;
    const info = await process.exited;
    await this.settled(process);
    return info;
  }

  private async awaitExit(process: QemuProcess, baseMs: number, awaited: string): Promise<ExitInfo> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void process.kill();
    }, this.time.ms(baseMs));
    const info = await process.exited;
    clearTimeout(timer);
    await this.settled(process);
    if (timedOut) throw new StateError(`wait for ${awaited}`, `still running after ${this.time.ms(baseMs) / 1000} s, so it was killed`, 'off');
    return info;
  }

  /** Plugs a raw file in as a read-only virtio disk while the machine runs (QMP hot-plug); returns its QOM id. */
  async plugDisk(path: string): Promise<string> {
    if (this.options.config.disk.interface !== 'virtio') {
      throw new UsageError(`machine ${this.options.config.name} has ${this.options.config.disk.interface} disks, which cannot be plugged in while it runs`);
    }
    const id = `bp-plugged-${++this.plugged}`;
    await this.qmp.execute('blockdev-add', {
      driver: 'raw',
      'node-name': id,
      'read-only': true,
      file: { driver: 'file', filename: resolve(path), 'read-only': true },
    });
    await this.qmp.execute('device_add', { driver: 'virtio-blk-pci', drive: id, id });
    this.pluggedDisks.push(resolve(path));
    return id;
  }

  private plugged = 0;

  /** Throws away everything the guest wrote: a new overlay over the untouched base image. Only while off. */
  async resetDisk(): Promise<void> {
    if (this.state !== 'off') throw new StateError('reset the disk', this.state, 'off');
    if (this.options.writeImage) throw new StateError('reset the disk', 'booting the image itself (--write)', 'booting an overlay');
    await rm(this.overlayPath, { force: true });
    await createOverlay(this.options.image, this.overlayPath, this.options.trackReads ? { clusterBytes: trackedClusterBytes } : {});
  }

  /**
   * The byte ranges of the boot disk the guest has read or written so far, in 4 KiB clusters (a machine made with
   * `trackReads`). Only while off: a running QEMU keeps part of the overlay's map in memory.
   */
  async diskTouched(): Promise<Extent[]> {
    if (!this.options.trackReads) throw new UsageError('diskTouched: the machine was not made with trackReads');
    if (this.state !== 'off') throw new StateError('read what the disk gave the guest', this.state, 'off');
    return overlayExtents(this.overlayPath);
  }

  /** Ends everything: kills QEMU if needed, closes the recordings and services, removes the private folder. */
  async release(): Promise<void> {
    if (this.released) return this.released;
    this.released = this.releaseOnce();
    return this.released;
  }

  private released: Promise<void> | undefined;

  private async releaseOnce(): Promise<void> {
    await this.crash();
    await this.cast.close();
    await this.services?.close();
    await this.files.workDir.cleanup();
  }

  private settledPromise = new Map<QemuProcess, Promise<void>>();

  private settled(process: QemuProcess): Promise<void> {
    return this.settledPromise.get(process) ?? Promise.resolve();
  }

  private ended(process: QemuProcess, console: Console, info: ExitInfo): void {
    console.end(info.exitCode, info.signal);
    this.currentQmp?.close();
    const written = appendFile(this.artifacts.transcript, console.streamText());
    this.settledPromise.set(process, written);
    if (this.process !== process) return;
    this.process = undefined;
    this.currentQmp = undefined;
    this.state = 'off';
    for (const listener of this.exitListeners) listener();
  }
}
