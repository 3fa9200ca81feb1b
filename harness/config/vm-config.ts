// vm-configs/<machine>.json: the declarative description of one emulated machine, validated on load.
import { readFileSync, readdirSync, accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObjectReader } from './validate.ts';
import { InfrastructureError, UsageError } from '../errors.ts';
import type { Accel } from '../deadline.ts';

export const firmwareKinds = ['seabios', 'ovmf'] as const;
export type FirmwareKind = (typeof firmwareKinds)[number];
export type Depth = 'full' | 'loader';

export interface VmConfig {
  name: string;
  file: string;
  description: string;
  arch: string;
  qemu: { binary: string; package: string };
  machine: string;
  cpu: string;
  memoryMiB: number;
  accelerators: Accel[];
  firmware: { kind: FirmwareKind; banner: RegExp; code?: string; vars?: string; package?: string };
  disk: { interface: 'virtio' | 'ide'; guestDevices: string[] };
  /** A NIC on QEMU's user network, with the VM's boot server behind it (TFTP and HTTP at 10.0.2.2). */
  network?: { model: string; bootRom?: string; package?: string };
  depth: Depth;
  extraArgs: string[];
}

export const vmConfigDir = fileURLToPath(new URL('../../vm-configs/', import.meta.url));

/** The names of every machine in the vm-config folder. */
export function machineNames(dir = vmConfigDir): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Loads and validates one machine's config; unknown names list the known ones. */
export function loadVmConfig(name: string, dir = vmConfigDir): VmConfig {
  const known = machineNames(dir);
  if (!known.includes(name)) {
    throw new UsageError(`unknown machine "${name}": choose one of ${known.join(', ')} (files in ${dir})`);
  }
  const file = join(dir, `${name}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: cannot read the vm-config: ${(error as Error).message}`);
  }
  return parseVmConfig(name, file, raw);
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
    accelerators: r.strings('accelerators', ['tcg']).map((a) => {
      if (a !== 'kvm' && a !== 'tcg') throw new UsageError(`${file}: accelerators: expected "kvm" or "tcg", got "${a}"`);
      return a;
    }),
    firmware: {
      kind: firmware.oneOf('kind', firmwareKinds),
      banner: firmware.regex('banner'),
      code: firmware.string('code', undefined),
      vars: firmware.string('vars', undefined),
      package: firmware.string('package', undefined),
    },
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
          },
        }
      : {}),
    depth: r.oneOf('depth', ['full', 'loader']),
    extraArgs: r.strings('extraArgs', []),
  };
  for (const reader of [qemu, firmware, disk, ...(network ? [network] : []), r]) reader.done();
  if (config.firmware.kind === 'ovmf' && (!config.firmware.code || !config.firmware.vars)) {
    throw new UsageError(`${file}: firmware: OVMF needs "code" and "vars" (paths of OVMF_CODE and OVMF_VARS)`);
  }
  return Object.freeze(config);
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
