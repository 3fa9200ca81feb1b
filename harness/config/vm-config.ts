// vm-configs/<machine>.json: the declarative description of one emulated machine, validated on load. The built-in
// ones are in bootproof's vm-configs/, a user's in theirs (user-folder.ts).
import { existsSync, readFileSync, accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObjectReader } from './validate.ts';
import { isPath, nameOf, namedFiles, type NamedFile } from './named-files.ts';
import { userFolders } from './user-folder.ts';
import { keyBytes } from './keys.ts';
import { InfrastructureError, UsageError } from '../errors.ts';
import type { Accel } from '../deadline.ts';
import { readBootMedia, type BootMedia } from './boot-media.ts';

export const firmwareKinds = ['seabios', 'ovmf', 'slof', 'openbios', 'u-boot'] as const;
export type FirmwareKind = (typeof firmwareKinds)[number];
export type Depth = 'full' | 'loader';
/**
 * What the firmware keeps of the boot commands typed at its prompt: `nvram` survives a QEMU restart
 * (a per-VM NVRAM file kept for the machine's lifetime), `reset` survives a firmware reset only,
 * `none` nothing (the harness types the commands at every boot).
 */
export const firmwarePersistences = ['nvram', 'reset', 'none'] as const;
export type FirmwarePersistence = (typeof firmwarePersistences)[number];

/** The firmware's command prompt and how to get there instead of autobooting. */
/** A firmware's parallel flash chip, as the machine declares it. */
export interface FlashLayout {
  /** Size of the flash chip in bytes. */
  bytes: number;
  /**
   * Reverse the bytes of each group of this many (Malta swaps flash words on little-endian
   * targets, so a little-endian U-Boot must be stored pre-swapped); absent: stored as is.
   */
  reverseBytes?: number;
}

export interface FirmwarePrompt {
  regex: RegExp;
  /** Pressed again every `repeatMs` until the prompt shows; absent when the prompt comes by itself. */
  interruptKey?: string;
  /** Output after which the interrupt key is pressed (the key may be pressed before it shows when absent). */
  interruptWindow?: RegExp;
  repeatMs: number;
  /** Press Enter once at the prompt and wait for it again, to throw away interrupt keys typed ahead. */
  clearTypeAhead: boolean;
  /** Milliseconds between typed characters at this prompt; absent: the target profile's loader typing delay. */
  typingDelayMs?: number;
}

/** What an operator types at the firmware prompt to start the image's loader. */
export interface FirmwareBoot {
  /** Typed in order, each after the prompt; the last one starts the loader. `{name}` placeholders are filled by the harness. */
  commands: string[];
  persistence: FirmwarePersistence;
  /** The firmware saying it could not start the loader (ends the wait at once). */
  failure?: RegExp;
  /**
   * Where an operator boots another root for one boot: at the image's loader prompt (`loader-prompt`), or, where the
   * firmware loads the kernel itself and no loader prompt exists, on the kernel command line the boot commands pass
   * (`kernel-command-line`: the target profile's `kernel.selectDevice` fills their `{kernelArguments}` for that boot).
   */
  failover: FirmwareFailover;
}

export const firmwareFailovers = ['loader-prompt', 'kernel-command-line'] as const;
export type FirmwareFailover = (typeof firmwareFailovers)[number];

export interface FirmwareConfig {
  kind: FirmwareKind;
  banner: RegExp;
  code?: string;
  vars?: string;
  package?: string;
  prompt?: FirmwarePrompt;
  boot?: FirmwareBoot;
  /** Size of a blank per-VM NVRAM file attached as pflash (kept across QEMU restarts of one machine). */
  nvramBytes?: number;
  /** The firmware (`code`) runs from a per-VM parallel flash image of this layout. */
  flash?: FlashLayout;
}

export interface VmConfig {
  name: string;
  file: string;
  description: string;
  arch: string;
  qemu: { binary: string; package: string };
  machine: string;
  cpu: string;
  memoryMiB: number;
  /** QEMU's `-smp`; absent: QEMU's default (one). */
  cpus?: number;
  accelerators: Accel[];
  firmware: FirmwareConfig;
  disk: { interface: 'virtio' | 'ide'; guestDevices: string[] };
  /** A NIC on QEMU's user network, with the VM's boot server behind it (TFTP and HTTP at 10.0.2.2). */
  network?: {
    model: string;
    bootRom?: string;
    package?: string;
    /** Files next to the disk image that the boot server serves (e.g. kernel and initramfs for a firmware that cannot read the disk). */
    serve?: string[];
    /** The firmware boots from the NIC before any disk (its boot index 0; UEFI ignores `-boot n`). */
    bootFirst?: boolean;
  };
  depth: Depth;
  /**
   * Whether a guest resumed from a checkpoint runs on. False on pseries under TCG: a guest resumed from a checkpoint
   * more than a few seconds old stalls (its timers stop firing), so scenarios boot afresh where they would restore.
   */
  resumesCheckpoints: boolean;
  extraArgs: string[];
  /** What the machine boots besides the fixture's disk (see boot-media.ts); empty for the built-in machines. */
  media: BootMedia;
}

export const vmConfigDir = fileURLToPath(new URL('../../vm-configs/', import.meta.url));

/** Every machine: the built-in vm-configs and the user's, whose file wins on a name clash. */
export function machineFiles(): NamedFile[] {
  return namedFiles(vmConfigDir, userFolders().vmConfigs, '.json');
}

/** The names of every machine. */
export function machineNames(): string[] {
  return machineFiles().map((m) => m.name);
}

/** Loads and validates one machine's config, by name or from a path ending in .json; unknown names list the known ones. */
export function loadVmConfig(nameOrPath: string): VmConfig {
  const machines = machineFiles();
  const file = isPath(nameOrPath, '.json') ? resolve(nameOrPath) : machines.find((m) => m.name === nameOrPath)?.file;
  if (!file || !existsSync(file)) {
    const known = `${machines.map((m) => m.name).join(', ')}, or a path to a vm-config .json`;
    throw new UsageError(file ? `vm-config file ${file} not found: check the path, or name a machine (${known})` : `unknown machine "${nameOrPath}": choose one of ${known}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: cannot read the vm-config: ${(error as Error).message}`);
  }
  return parseVmConfig(nameOf(file, '.json'), file, raw);
}

export function parseVmConfig(name: string, file: string, raw: unknown): VmConfig {
  const r = ObjectReader.root(file, raw);
  const qemu = r.object('qemu');
  const firmware = r.object('firmware');
  const disk = r.object('disk');
  const network = r.object('network', 'optional');
  const config: VmConfig = {
    name,
    file,
    description: r.string('description'),
    arch: r.oneOf('arch', ['amd64', 'ppc64el', 'powerpc', 'mips64el']),
    qemu: { binary: qemu.string('binary'), package: qemu.string('package') },
    machine: r.string('machine'),
    cpu: r.string('cpu', 'max'),
    memoryMiB: r.number('memoryMiB', 512),
    ...cpusOf(r.optionalNumber('cpus'), file),
    accelerators: r.strings('accelerators', ['tcg']).map((a) => {
      if (a !== 'kvm' && a !== 'tcg') throw new UsageError(`${file}: accelerators: expected "kvm" or "tcg", got "${a}"`);
      return a;
    }),
    firmware: parseFirmware(firmware),
    disk: {
      interface: disk.oneOf('interface', ['virtio', 'ide']),
      guestDevices: disk.strings('guestDevices'),
    },
    ...(network
      ? {
          network: {
            model: network.string('model'),
            bootRom: network.string('bootRom', undefined),
            package: network.string('package', undefined),
            serve: network.strings('serve', []),
            bootFirst: network.boolean('bootFirst', false),
          },
        }
      : {}),
    depth: r.oneOf('depth', ['full', 'loader']),
    resumesCheckpoints: r.boolean('resumesCheckpoints', true),
    extraArgs: r.strings('extraArgs', []),
    media: readBootMedia(r),
  };
  for (const reader of [qemu, firmware, disk, ...(network ? [network] : []), r]) reader.done();
  if (config.firmware.flash && !config.firmware.code) {
    throw new UsageError(`${file}: firmware: "flash" needs "code" (the firmware binary written into the flash image)`);
  }
  if (config.firmware.kind === 'ovmf' && (!config.firmware.code || !config.firmware.vars)) {
    throw new UsageError(`${file}: firmware: OVMF needs "code" and "vars" (paths of OVMF_CODE and OVMF_VARS)`);
  }
  return Object.freeze(config);
}

function cpusOf(cpus: number | undefined, file: string): { cpus?: number } {
  if (cpus === undefined) return {};
  if (!Number.isInteger(cpus) || cpus < 1) throw new UsageError(`${file}: cpus: expected a whole number from 1, got ${cpus}`);
  return { cpus };
}

function parseFirmware(r: ObjectReader): FirmwareConfig {
  const promptReader = r.object('prompt', 'optional');
  const bootReader = r.object('boot', 'optional');
  const firmware: FirmwareConfig = {
    kind: r.oneOf('kind', firmwareKinds),
    banner: r.regex('banner'),
    code: r.string('code', undefined),
    vars: r.string('vars', undefined),
    package: r.string('package', undefined),
    nvramBytes: r.optionalNumber('nvramBytes'),
    flash: parseFlash(r.object('flash', 'optional')),
  };
  if (promptReader) {
    firmware.prompt = {
      regex: promptReader.regex('regex'),
      interruptKey: promptReader.string('interruptKey', undefined),
      interruptWindow: promptReader.regex('interruptWindow', 'optional'),
      repeatMs: promptReader.number('repeatMs', 1000),
      clearTypeAhead: promptReader.boolean('clearTypeAhead', false),
      typingDelayMs: promptReader.optionalNumber('typingDelayMs'),
    };
    if (firmware.prompt.interruptKey !== undefined) firmware.prompt.interruptKey = parseKeyName(promptReader, 'interruptKey', firmware.prompt.interruptKey);
    if (firmware.prompt.interruptWindow && !firmware.prompt.interruptKey) {
      throw new UsageError(`${r.file}: firmware.prompt: "interruptWindow" needs "interruptKey" (the key that stops autoboot)`);
    }
    promptReader.done();
  }
  if (bootReader) {
    firmware.boot = {
      commands: bootReader.strings('commands'),
      persistence: bootReader.oneOf('persistence', firmwarePersistences),
      failure: bootReader.regex('failure', 'optional'),
      failover: bootReader.oneOf('failover', firmwareFailovers, 'loader-prompt'),
    };
    bootReader.done();
    if (firmware.boot.commands.length === 0) throw new UsageError(`${r.file}: firmware.boot.commands: expected at least one command`);
    if (!firmware.prompt) throw new UsageError(`${r.file}: firmware.boot needs firmware.prompt (where the commands are typed)`);
    if (firmware.boot.failover === 'kernel-command-line' && !firmware.boot.commands.some((c) => c.includes('{kernelArguments}'))) {
      throw new UsageError(`${r.file}: firmware.boot.failover "kernel-command-line" needs a {kernelArguments} placeholder in the boot commands`);
    }
    if (firmware.boot.persistence === 'nvram' && firmware.nvramBytes === undefined && !firmware.vars) {
      throw new UsageError(`${r.file}: firmware.boot.persistence "nvram" needs "nvramBytes" (a per-VM NVRAM file) or "vars"`);
    }
  }
  return firmware;
}

function parseKeyName(r: ObjectReader, key: string, name: string): string {
  try {
    return keyBytes(name);
  } catch (error) {
    throw new UsageError(`${r.file}: ${r.path}${key}: ${(error as Error).message}`);
  }
}

function parseFlash(r: ObjectReader | undefined): FlashLayout | undefined {
  if (!r) return undefined;
  const flash = { bytes: r.number('bytes'), reverseBytes: r.number('reverseBytes', 0) || undefined };
  r.done();
  return flash;
}

/** Whether the machine has the image's loader prompt (`boot>`): not when its firmware loads the kernel itself. */
export function hasLoaderPrompt(config: VmConfig): boolean {
  return config.firmware.boot?.failover !== 'kernel-command-line';
}

/** Why this machine cannot run here (missing QEMU or firmware), or undefined when it can. */
export function missingOnHost(config: VmConfig): string | undefined {
  if (!onPath(config.qemu.binary)) {
    return `${config.qemu.binary} not found: install the Debian package ${config.qemu.package} (or run scripts/setup.sh)`;
  }
  for (const path of [config.firmware.code, config.firmware.vars]) {
    if (path && !readable(path)) {
      return `firmware file ${path} not found: install the Debian package ${config.firmware.package ?? '(see the vm-config)'}`;
    }
  }
  const rom = config.network?.bootRom;
  if (rom && !readable(rom)) {
    return `network boot ROM ${rom} not found: install the Debian package ${config.network?.package ?? '(see the vm-config)'}`;
  }
  return undefined;
}

/** Throws an InfrastructureError when the machine cannot run here. */
export function assertRunnable(config: VmConfig): void {
  const missing = missingOnHost(config);
  if (missing) throw new InfrastructureError(`machine ${config.name}: ${missing}`);
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, binary)));
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
