// vm-configs/<machine>.json: the declarative description of one emulated machine, validated on load. The built-in
// ones are in bootproof's vm-configs/, a user's in theirs (user-folder.ts).
import { existsSync, accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseConfig, readJsonFile } from './config-file.ts';
import { count, flag, keyName, oneOf, pattern, schemaKey, section, text, texts, whole } from './schema-parts.ts';
import { isPath, nameOf, namedFiles, type NamedFile } from './named-files.ts';
import { userFolders } from './user-folder.ts';
import { InfrastructureError, UsageError } from '../errors.ts';
import type { Accel } from '../deadline.ts';
import { bootMediaFields, bootMediaKeys, resolveBootMedia, type BootMedia } from './boot-media.ts';

export const firmwareKinds = ['seabios', 'ovmf', 'slof', 'openbios', 'u-boot'] as const;
export type FirmwareKind = (typeof firmwareKinds)[number];
export const depths = ['full', 'loader'] as const;
export type Depth = (typeof depths)[number];
/**
 * What the firmware keeps of the boot commands typed at its prompt: `nvram` survives a QEMU restart
 * (a per-VM NVRAM file kept for the machine's lifetime), `reset` survives a firmware reset only,
 * `none` nothing (the harness types the commands at every boot).
 */
export const firmwarePersistences = ['nvram', 'reset', 'none'] as const;
export type FirmwarePersistence = (typeof firmwarePersistences)[number];

export const firmwareFailovers = ['loader-prompt', 'kernel-command-line'] as const;
export type FirmwareFailover = (typeof firmwareFailovers)[number];

/** A firmware's parallel flash chip, as the machine declares it. */
const flashSchema = section({
  bytes: count().describe('Size of the flash chip in bytes'),
  reverseBytes: count()
    .optional()
    .describe('Reverse the bytes of each group of this many (Malta swaps flash words on little-endian targets, so a little-endian U-Boot is stored pre-swapped); absent: stored as is'),
});
export type FlashLayout = z.output<typeof flashSchema>;

/** The firmware's command prompt and how to get there instead of autobooting. */
const promptSchema = section({
  regex: pattern().describe('The firmware prompt'),
  interruptKey: keyName().optional().describe('Pressed again every repeatMs until the prompt shows; absent when the prompt comes by itself'),
  interruptWindow: pattern().optional().describe('Output after which the interrupt key is pressed (the key may be pressed before it shows when absent)'),
  repeatMs: count().default(1000),
  clearTypeAhead: flag().default(false).describe('Press Enter once at the prompt and wait for it again, to throw away interrupt keys typed ahead'),
  typingDelayMs: count().optional().describe("Milliseconds between typed characters at this prompt; absent: the target profile's loader typing delay"),
});
export type FirmwarePrompt = z.output<typeof promptSchema>;

/** What an operator types at the firmware prompt to start the image's loader. */
const bootSchema = section({
  commands: texts()
    .min(1, { error: 'expected at least one command' })
    .describe('Typed in order, each after the prompt; the last one starts the loader. {name} placeholders are filled by the harness'),
  persistence: oneOf(firmwarePersistences).describe('What the firmware keeps of the typed commands: nvram (across QEMU restarts), reset (a firmware reset only), none'),
  failure: pattern().optional().describe('The firmware saying it could not start the loader (ends the wait at once)'),
  failover: oneOf(firmwareFailovers)
    .default('loader-prompt')
    .describe("Where another root is booted for one boot: at the image's loader prompt, or on the kernel command line the boot commands pass (the profile's kernel.selectDevice fills their {kernelArguments})"),
});
export type FirmwareBoot = z.output<typeof bootSchema>;

const firmwareSchema = section({
  kind: oneOf(firmwareKinds),
  banner: pattern().describe('What the firmware prints first'),
  code: text().optional().describe('Path of the firmware binary (e.g. OVMF_CODE)'),
  vars: text().optional().describe('Path of the firmware variables template (OVMF_VARS), copied per VM'),
  package: text().optional().describe('The Debian package holding code and vars'),
  prompt: promptSchema.optional(),
  boot: bootSchema.optional(),
  nvramBytes: count().optional().describe('Size of a blank per-VM NVRAM file attached as pflash (kept across QEMU restarts of one machine)'),
  flash: flashSchema.optional().describe('The firmware (code) runs from a per-VM parallel flash image of this layout'),
});
export type FirmwareConfig = z.output<typeof firmwareSchema>;

/** vm-configs/<machine>.json, as written. */
export const vmConfigSchema = section({
  $schema: schemaKey,
  description: text(),
  arch: oneOf(['amd64', 'ppc64el', 'powerpc', 'mips64el']),
  qemu: section({ binary: text().describe('The QEMU system emulator'), package: text().describe('The Debian package holding it') }),
  machine: text().describe("QEMU's -machine"),
  cpu: text().default('max').describe("QEMU's -cpu"),
  memoryMiB: count().default(512),
  cpus: whole(1).optional().describe("QEMU's -smp; absent: QEMU's default (one)"),
  accelerators: z
    .array(oneOf(['kvm', 'tcg']), { error: 'expected an array of strings' })
    .default((): Accel[] => ['tcg'])
    .describe('The accelerators the machine may use, best first'),
  firmware: firmwareSchema,
  disk: section({
    interface: oneOf(['virtio', 'ide']),
    guestDevices: texts().describe("The guest's names of the attached disks, boot disk first"),
    cdromDevice: text()
      .optional()
      .describe('The QEMU device of a CD-ROM given as cdrom (e.g. ide-cd): with it the CD boots before the disk; without it the firmware picks'),
  }),
  network: section({
    model: text().describe("The NIC's QEMU device model"),
    bootRom: text().optional(),
    package: text().optional().describe('The Debian package holding the boot ROM'),
    serve: texts()
      .default(() => [])
      .describe('Files next to the disk image that the boot server serves (e.g. kernel and initramfs for a firmware that cannot read the disk)'),
    bootFirst: flag().default(false).describe('The firmware boots from the NIC before any disk (its boot index 0; UEFI ignores -boot n)'),
  })
    .optional()
    .describe("A NIC on QEMU's user network, with the VM's boot server behind it (TFTP and HTTP at 10.0.2.2)"),
  depth: oneOf(depths).describe("How far the machine boots the fixture: full (a shell) or loader (the loader's prompt)"),
  resumesCheckpoints: flag()
    .default(true)
    .describe('Whether a guest resumed from a checkpoint runs on (false on pseries under TCG: scenarios boot afresh where they would restore)'),
  extraArgs: texts().default(() => []).describe('Further QEMU arguments'),
  ...bootMediaFields,
});

type VmConfigFile = z.output<typeof vmConfigSchema>;

export type VmConfig = Omit<VmConfigFile, '$schema' | (typeof bootMediaKeys)[number]> & {
  name: string;
  file: string;
  /** What the machine boots besides the fixture's disk (see boot-media.ts); empty for the built-in machines. */
  media: BootMedia;
};

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
  return parseVmConfig(nameOf(file, '.json'), file, readJsonFile(file, 'vm-config'));
}

export function parseVmConfig(name: string, file: string, raw: unknown): VmConfig {
  const { $schema: _, ...fields } = parseConfig(vmConfigSchema, file, raw);
  const media = resolveBootMedia(fields, file);
  for (const key of bootMediaKeys) delete fields[key];
  const config: VmConfig = { name, file, ...fields, media };
  const { firmware } = config;
  if (firmware.flash && !firmware.code) throw new UsageError(`${file}: firmware: "flash" needs "code" (the firmware binary written into the flash image)`);
  if (firmware.kind === 'ovmf' && (!firmware.code || !firmware.vars)) {
    throw new UsageError(`${file}: firmware: OVMF needs "code" and "vars" (paths of OVMF_CODE and OVMF_VARS)`);
  }
  if (firmware.prompt?.interruptWindow && !firmware.prompt.interruptKey) {
    throw new UsageError(`${file}: firmware.prompt: "interruptWindow" needs "interruptKey" (the key that stops autoboot)`);
  }
  if (firmware.boot) {
    if (!firmware.prompt) throw new UsageError(`${file}: firmware.boot needs firmware.prompt (where the commands are typed)`);
    if (firmware.boot.failover === 'kernel-command-line' && !firmware.boot.commands.some((c) => c.includes('{kernelArguments}'))) {
      throw new UsageError(`${file}: firmware.boot.failover "kernel-command-line" needs a {kernelArguments} placeholder in the boot commands`);
    }
    if (firmware.boot.persistence === 'nvram' && firmware.nvramBytes === undefined && !firmware.vars) {
      throw new UsageError(`${file}: firmware.boot.persistence "nvram" needs "nvramBytes" (a per-VM NVRAM file) or "vars"`);
    }
  }
  return Object.freeze(config);
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
