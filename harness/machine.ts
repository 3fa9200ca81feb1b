// A Machine: one emulated computer with its own overlay disk, firmware variables, QEMU process, console and QMP.
import { appendFile, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { assertRunnable, type VmConfig } from './config/vm-config.ts';
import type { TargetProfile } from './config/profile.ts';
import { buildArgv, type Drive } from './qemu/argv.ts';
import { QemuProcess, type ExitInfo } from './qemu/process.ts';
import { QmpClient } from './qemu/qmp.ts';
import { Console } from './console/console.ts';
import { AsciicastWriter } from './console/asciicast.ts';
import { createOverlay, imageFormat } from './disk/overlay.ts';
import { rewriteFlashCode, writeFlashImage } from './qemu/flash-image.ts';
import { createTempFolder, type TempFolder } from './qemu/temp-folder.ts';
import { timeFactors, type Accel } from './deadline.ts';
import { StateError, UsageError } from './errors.ts';
import { BootServer } from './net/boot-server.ts';
import {
  checkpointFiles,
  loadState,
  readCheckpointInfo,
  restoreFirmwareFiles,
  saveDrives,
  saveState,
  writeCheckpointInfo,
  type CheckpointInfo,
  type FirmwareFiles,
} from './qemu/checkpoint.ts';
import { instanceAddress, MetadataService } from './net/metadata-service.ts';

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
}

export interface StartOptions {
  /** After restoring a checkpoint, stay paused (QMP `cont` resumes). */
  paused?: boolean;
  /** Raw files attached read-only after the boot disk, e.g. a .fs for an upgrade. */
  disks?: string[];
  /** Record the boot disk's writes and flushes into this file, which must not exist yet. */
  writeLog?: string;
}

export interface MachineArtifacts {
  transcript: string;
  cast: string;
  qemuStderr: string;
  /** Every request to the boot server (machines with a NIC). */
  bootServerLog?: string;
}

type MachineState = 'off' | 'running';

export class Machine {
  readonly name: string;
  readonly timeFactor: number;
  readonly artifacts: MachineArtifacts;
  private state: MachineState = 'off';
  private process: QemuProcess | undefined;
  private currentConsole: Console | undefined;
  private currentQmp: QmpClient | undefined;
  private readonly cast: AsciicastWriter;
  private starts = 0;
  /**
   * Boot commands the firmware's NVRAM file holds, typed at an earlier power-on of this machine: none in a new
   * machine's blank file, and those of the checkpoint whose file replaces it.
   */
  firmwareSettingsSaved: string[] | undefined;

  private constructor(
    readonly options: MachineOptions,
    private readonly workDir: TempFolder,
    private readonly overlay: string,
    private readonly diskFormat: 'qcow2' | 'raw',
    private readonly firmwareVars: string | undefined,
    private readonly firmwareFlash: string | undefined,
    private readonly server: BootServer | undefined,
  ) {
    this.pendingCheckpoint = options.checkpoint;
    this.name = `bootproof-${options.config.name}-${randomBytes(4).toString('hex')}`;
    this.timeFactor = timeFactors[options.accel];
    this.artifacts = {
      transcript: join(options.artifactDir, 'console.txt'),
      cast: join(options.artifactDir, 'console.cast'),
      qemuStderr: join(options.artifactDir, 'qemu-stderr.log'),
      ...(server ? { bootServerLog: server.logFile } : {}),
    };
    this.cast = new AsciicastWriter(this.artifacts.cast, 80, 25, `${options.config.name}: ${options.image}`);
  }

  /** Prepares the private folder, the overlay over the base image and the firmware variables. */
  static async create(options: MachineOptions): Promise<Machine> {
    assertRunnable(options.config);
    await mkdir(options.artifactDir, { recursive: true });
    const workDir = await createTempFolder();
    let server: BootServer | undefined;
    try {
      let overlay = join(workDir.path, 'disk.qcow2');
      let diskFormat: 'qcow2' | 'raw' = 'qcow2';
      if (options.checkpoint && options.writeImage) throw new UsageError('a checkpoint cannot be restored onto the image itself (--write)');
      let saved: CheckpointInfo | undefined;
      if (options.checkpoint) {
        saved = await readCheckpointInfo(options.checkpoint);
        await createOverlay(join(options.checkpoint, checkpointFiles.disk), overlay);
      } else if (options.writeImage) {
        overlay = resolve(options.image);
        diskFormat = await imageFormat(overlay);
      } else {
        await createOverlay(options.image, overlay);
      }
      let vars: string | undefined;
      const { firmware, network } = options.config;
      if (firmware.vars) {
        vars = join(workDir.path, 'vars.fd');
        await copyFile(firmware.vars, vars);
      } else if (firmware.nvramBytes !== undefined) {
        vars = join(workDir.path, 'nvram.bin');
        await writeFile(vars, Buffer.alloc(firmware.nvramBytes));
      }
      let flash: string | undefined;
      if (firmware.flash && firmware.code) {
        flash = join(workDir.path, 'flash.img');
        await writeFlashImage(firmware.code, firmware.flash, flash);
      }
      if (options.checkpoint) await restoreFirmwareFiles(options.checkpoint, { vars, flash });
      server = network ? await BootServer.start(join(workDir.path, 'boot'), join(options.artifactDir, 'boot-server.log')) : undefined;
      for (const name of network?.serve ?? []) {
        const file = join(options.servedFrom ?? dirname(options.image), name);
        if (!existsSync(file)) {
          throw new UsageError(
            `machine ${options.config.name} boots ${name} from its boot server, but ${file} does not exist: put it next to the disk image (fixture builds for ${options.config.arch} write it)`,
          );
        }
        await server?.put(name, { file });
      }
      const machine = new Machine(options, workDir, overlay, diskFormat, vars, flash, server);
      machine.firmwareSettingsSaved = saved?.firmwareSettings;
      return machine;
    } catch (error) {
      await server?.close();
      await workDir.cleanup();
      throw error;
    }
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

  private metadataService: MetadataService | undefined;

  /** The VM's instance metadata service, on its boot server (machines with a NIC only). */
  get metadata(): MetadataService {
    this.metadataService ??= new MetadataService(this.bootServer, {
      id: this.name,
      name: this.name,
      hostname: 'resflash',
      // fec0::2 is the host side of QEMU's user network.
      ipv6: { address: instanceAddress(randomBytes(2).readUInt16BE(0)), netmask: '64', gateway: 'fec0::2' },
    });
    return this.metadataService;
  }

  /** The VM's boot server: its folder is served over TFTP and HTTP (machines with a NIC only). */
  get bootServer(): BootServer {
    if (!this.server) throw new UsageError(`machine ${this.options.config.name} has no NIC, so no boot server`);
    return this.server;
  }

  /** A path in the machine's private folder (removed at release), e.g. for a checkpoint used during one test. */
  privatePath(name: string): string {
    return join(this.workDir.path, name);
  }

  get overlayPath(): string {
    return this.overlay;
  }

  /** The per-VM files the firmware writes, which live as long as the machine and go into its checkpoints. */
  private get firmwareFiles(): FirmwareFiles {
    return { vars: this.firmwareVars, flash: this.firmwareFlash };
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
    if (!restoring && this.firmwareFlash && code && flash) await rewriteFlashCode(code, flash, this.firmwareFlash);
    const extraDisks: Drive[] = disks.map((path) => ({ path: resolve(path), format: 'raw', readOnly: true }));
    if (1 + extraDisks.length > config.disk.guestDevices.length) {
      throw new UsageError(`machine ${config.name} takes at most ${config.disk.guestDevices.length - 1} extra disks`);
    }
    const qmpSocket = join(this.workDir.path, `qmp-${++this.starts}.sock`);
    // blklogwrites never truncates its log: a reused file would keep a stale tail.
    if (options.writeLog) await writeFile(options.writeLog, '', { flag: 'wx' });
    const argv = buildArgv(
      config,
      {
        disk: { path: this.overlay, format: this.diskFormat },
        extraDisks,
        qmpSocket,
        firmwareVars: this.firmwareVars,
        firmwareFlash: this.firmwareFlash,
        writeLog: options.writeLog,
        incoming: saved !== undefined,
        ...(this.server ? { network: { tftpFolder: this.server.folder, capture: this.server.newCapture(this.workDir.path) } } : {}),
      },
      { accel: this.options.accel, name: this.name },
    );
    await appendFile(this.artifacts.qemuStderr, `# ${config.qemu.binary} ${argv.join(' ')}\n`);
    const process = new QemuProcess({
      binary: config.qemu.binary,
      args: argv,
      stderrLog: this.artifacts.qemuStderr,
      ceilingSeconds: this.options.ceilingSeconds ?? 3600,
      cwd: this.workDir.path,
    });
    const console = new Console({
      write: (data) => process.write(data),
      timeFactor: this.timeFactor,
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
    void process.exited.then((info) => this.onExit(process, console, info));
    try {
      this.currentQmp = await QmpClient.connect(qmpSocket, 10_000 * this.timeFactor);
      if (restoring && saved) {
        for (const disk of saved.pluggedDisks) await this.plugDisk(disk);
        await loadState(this.currentQmp, restoring, 120_000 * this.timeFactor);
        console.inputReady();
        if (saved.wasRunning && !options.paused) await this.currentQmp.execute('cont');
      }
    } catch (error) {
      await this.powerCut();
      throw error;
    }
  }

  private extraDisks: string[] = [];
  /** The checkpoint the next start() restores instead of powering on. */
  private pendingCheckpoint: string | undefined;

  /** While off: the next start() resumes from the checkpoint in `dir` (its disk, firmware variables and RAM). */
  async useCheckpoint(dir: string): Promise<void> {
    if (this.state !== 'off') throw new StateError('restore a checkpoint', this.state, 'off');
    if (this.options.writeImage) throw new UsageError('a checkpoint cannot be restored onto the image itself (--write)');
    const saved = await readCheckpointInfo(dir);
    await rm(this.overlay, { force: true });
    await createOverlay(join(dir, checkpointFiles.disk), this.overlay);
    await restoreFirmwareFiles(dir, this.firmwareFiles);
    this.firmwareSettingsSaved = saved.firmwareSettings;
    this.pendingCheckpoint = dir;
  }
  private pluggedDisks: string[] = [];

  /**
   * Saves a checkpoint into `dir`: the VM stops, its RAM and device state go to a file, its disk overlay and writable
   * firmware files are copied. The VM runs on afterwards if it ran before (or as `resume` says). Machine.create with
   * `checkpoint: dir` starts a VM from it.
   */
  async checkpoint(dir: string, options: { resume?: boolean } = {}): Promise<CheckpointInfo> {
    if (this.options.writeImage) throw new UsageError('no checkpoint while booting the image itself (--write): its disk is not an overlay');
    const qmp = this.qmp;
    const { running } = await qmp.execute<{ running: boolean }>('query-status');
    await saveState(qmp, dir, 120_000 * this.timeFactor);
    await saveDrives(dir, this.overlay, this.firmwareFiles);
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
        ...(this.firmwareSettingsSaved ? { firmwareSettings: this.firmwareSettingsSaved } : {}),
      },
      this.console.screenText(),
    );
    if (options.resume ?? running) await qmp.execute('cont');
    return info;
  }

  /** SIGKILL of QEMU's process group: power is lost, nothing is flushed. */
  async powerCut(): Promise<void> {
    const process = this.process;
    if (!process) return;
    await process.kill();
    await this.settled(process);
  }

  /** QMP `quit`: QEMU flushes its disks and exits, like pulling the plug after a sync. */
  async quit(): Promise<void> {
    const process = this.process;
    if (!process) return;
    try {
      await this.currentQmp?.execute('quit');
    } catch {
      // the socket closes as QEMU exits
    }
    const timer = setTimeout(() => void process.kill(), 10_000 * this.timeFactor);
    await process.exited;
    clearTimeout(timer);
    await this.settled(process);
  }

  /** Resolves when the running QEMU ends, for whatever reason (undefined when none runs). */
  async exited(): Promise<ExitInfo | undefined> {
    const process = this.process;
    if (!process) return undefined;
    const info = await process.exited;
    await this.settled(process);
    return info;
  }

  /** Waits until QEMU exits by itself (after a guest poweroff); cuts power if it does not within the time limit. */
  async waitForExit(timeoutMs = 60_000): Promise<ExitInfo> {
    const process = this.process;
    if (!process) throw new StateError('wait for exit', this.state, 'running');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void process.kill();
    }, timeoutMs * this.timeFactor);
    const info = await process.exited;
    clearTimeout(timer);
    await this.settled(process);
    if (timedOut) throw new StateError('wait for QEMU to exit by itself', 'still running after the time limit', 'off');
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
    await rm(this.overlay, { force: true });
    await createOverlay(this.options.image, this.overlay);
  }

  /** Ends everything: kills QEMU if needed, closes the recordings, removes the private folder. */
  async release(): Promise<void> {
    if (this.released) return this.released;
    this.released = this.releaseOnce();
    return this.released;
  }

  private released: Promise<void> | undefined;

  private async releaseOnce(): Promise<void> {
    await this.powerCut();
    await this.cast.close();
    await this.server?.close();
    await this.workDir.cleanup();
  }

  private settledPromise = new Map<QemuProcess, Promise<void>>();

  private settled(process: QemuProcess): Promise<void> {
    return this.settledPromise.get(process) ?? Promise.resolve();
  }

  private onExit(process: QemuProcess, console: Console, info: ExitInfo): void {
    console.end(info.exitCode, info.signal);
    this.currentQmp?.close();
    const written = appendFile(this.artifacts.transcript, console.streamText());
    this.settledPromise.set(process, written);
    if (this.process === process) {
      this.process = undefined;
      this.currentQmp = undefined;
      this.state = 'off';
    }
  }
}
