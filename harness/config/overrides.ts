// A machine as a run boots it: its vm-config with the command line's media and overrides applied.
import { UsageError } from '../errors.ts';
import { checkKernelParts, type MachineOverrides } from './boot-media.ts';
import type { VmConfig } from './vm-config.ts';

/** The vm-config with the overrides applied; refuses media the machine cannot take. */
export function withOverrides(config: VmConfig, overrides: MachineOverrides = {}): VmConfig {
  const media = { ...config.media, ...definedOnly(overrides.media ?? {}) };
  // A kernel given on the command line replaces the vm-config's, with its initrd and command line.
  if (overrides.media?.kernel !== undefined) {
    media.initrd = overrides.media.initrd;
    media.append = overrides.media.append;
  }
  checkKernelParts(media, `machine ${config.name}`);
  if (media.netboot !== undefined && !config.network) {
    throw new UsageError(`machine ${config.name} has no NIC, so no boot server to serve ${media.netboot}: choose a machine with a "network" (e.g. amd64-ipxe)`);
  }
  const result: VmConfig = {
    ...config,
    media,
    memoryMiB: overrides.memoryMiB ?? config.memoryMiB,
    ...(overrides.cpus !== undefined ? { cpus: overrides.cpus } : {}),
    extraArgs: [...config.extraArgs, ...(overrides.qemuArgs ?? [])],
  };
  return Object.freeze(result);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The overrides as the runner hands them to the scenario processes (BOOTPROOF_MACHINE_OVERRIDES). */
export function overridesFromEnv(env = process.env): MachineOverrides {
  const text = env.BOOTPROOF_MACHINE_OVERRIDES;
  if (!text) return {};
  try {
    return JSON.parse(text) as MachineOverrides;
  } catch {
    throw new UsageError(`BOOTPROOF_MACHINE_OVERRIDES: expected JSON, got ${text}`);
  }
}
