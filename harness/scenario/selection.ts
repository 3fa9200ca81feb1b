// Which machines a scenario runs on in this run: its requirements, the run's machine filter and slice.
import { hasLoaderPrompt, loadVmConfig, machineNames, type Depth, type VmConfig } from '../config/vm-config.ts';
import { UsageError } from '../errors.ts';
import { overridesFromEnv, withOverrides } from '../config/overrides.ts';
import { loadProfile, type TargetProfile } from '../config/profile.ts';
import { damageNames } from '../config/damages.ts';

export interface ScenarioMeta {
  name: string;
  description: string;
  /** The depth a machine must reach: 'full' needs a shell, 'loader' only the loader prompt. */
  depth: Depth;
  /** The machines of the CI slice (npm test); the nightly runs every machine that qualifies. */
  ci: string[];
  timeoutMinutes: number;
  tags?: string[];
  /**
   * Broken fixture variants this scenario must catch: each adds a test, on the CI machines (or those of them
   * `machines` names), that runs the scenario on that variant and passes only if the scenario fails with `failure`.
   */
  detects?: { variant: string; failure: RegExp; machines?: string[] }[];
  /**
   * What the machine must offer beyond the depth: `loader-prompt`, the image's own interactive loader (`boot>`);
   * `write-log`, a boot disk whose writes QEMU's blklogwrites can record (virtio); `firmware-nvram`, a firmware
   * that keeps its boot setting across QEMU restarts; `network`, a NIC with the VM's boot server and metadata service;
   * `ab-roots`, the A/B images to upgrade to (`vm.fixture`), which a run booting a user's image (`--image`) has not;
   * `provoked-failures`, a target profile with fail-fast patterns that name the damage provoking them (`provokedBy`).
   */
  needs?: ('loader-prompt' | 'write-log' | 'firmware-nvram' | 'network' | 'ab-roots' | 'provoked-failures')[];
  /** The most disks the scenario attaches besides the boot disk at one power-on (machines with fewer do not run it). */
  extraDisks?: number;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface RunSelection {
  /** Machine names, or paths of vm-config files. */
  machines?: string[];
  slice: 'ci' | 'full';
  shard?: Shard;
}

export function selectionFromEnv(env = process.env): RunSelection {
  const machines = env.BOOTPROOF_MACHINES?.split(',').map((m) => m.trim()).filter(Boolean);
  return {
    machines: machines?.length ? machines : undefined,
    slice: env.BOOTPROOF_SLICE === 'ci' ? 'ci' : 'full',
    shard: env.BOOTPROOF_SHARD ? parseShard(env.BOOTPROOF_SHARD) : undefined,
  };
}

/** Parses "i/n" (1 <= i <= n). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard: expected i/n with 1 <= i <= n (e.g. 2/4), got "${text}"`);
  }
  return { index, count };
}

/** Whether a test belongs to the shard: a stable hash of its title, so every run splits the matrix alike. */
export function inShard(title: string, shard: Shard | undefined): boolean {
  if (!shard) return true;
  let hash = 0x811c9dc5;
  for (let i = 0; i < title.length; i++) hash = Math.imul(hash ^ title.charCodeAt(i), 0x01000193) >>> 0;
  return hash % shard.count === shard.index - 1;
}

/** Why the scenario cannot run on the machine with the profile (depth, loader prompt, write log, disks, ...), or undefined when it can. */
export function whyNotOn(meta: ScenarioMeta, config: VmConfig, profile?: TargetProfile): string | undefined {
  if (meta.needs?.includes('provoked-failures') && profile && !profile.failFast.some((f) => f.provokedBy)) {
    return `needs fail-fast patterns with a "provokedBy" damage; profile ${profile.name} has none (give a failFast entry the damage that provokes it: ${damageNames.join(', ')})`;
  }
  if (meta.depth === 'full' && config.depth !== 'full') return `needs a shell; ${config.name} boots only to the loader`;
  if (meta.needs?.includes('loader-prompt') && !hasLoaderPrompt(config)) {
    return `needs the loader prompt; ${config.name}'s firmware loads the kernel itself`;
  }
  if (meta.needs?.includes('write-log') && config.disk.interface !== 'virtio') {
    return `needs a virtio boot disk for the write log; ${config.name} has ${config.disk.interface}`;
  }
  if (meta.needs?.includes('firmware-nvram') && config.firmware.boot?.persistence !== 'nvram') {
    const kept = config.firmware.boot ? `keeps its boot commands: ${config.firmware.boot.persistence}` : 'is not told how to boot';
    return `needs a firmware that keeps its boot setting in NVRAM; ${config.name}'s ${kept}`;
  }
  if (meta.needs?.includes('network') && !config.network) return `needs a NIC with a boot server; ${config.name} has none`;
  if (meta.needs?.includes('ab-roots') && config.media.image) {
    return `needs A/B root images to upgrade to; ${config.name} boots ${config.media.image} without them (to check A/B, run bootproof validate --image IMG --fs FS=VERSION)`;
  }
  const room = config.disk.guestDevices.length - 1;
  if ((meta.extraDisks ?? 0) > room) return `attaches ${meta.extraDisks} extra disks; ${config.name} takes ${room}`;
  return undefined;
}

/** Whether the scenario can run on the machine. */
export function qualifies(meta: ScenarioMeta, config: VmConfig): boolean {
  return whyNotOn(meta, config) === undefined;
}

/** The machines of the run's filter and slice, each with the reason the scenario cannot run there, if any. */
export function machineChoices(meta: ScenarioMeta, selection: RunSelection): { config: VmConfig; skip?: string }[] {
  const configs = new Map<string, VmConfig>();
  const overrides = overridesFromEnv();
  const profile = meta.needs?.includes('provoked-failures') ? loadProfile(process.env.BOOTPROOF_PROFILE ?? 'fixture') : undefined;
  for (const config of (selection.machines ?? machineNames()).map((m) => withOverrides(loadVmConfig(m), overrides))) {
    if (!configs.has(config.name)) configs.set(config.name, config);
  }
  return [...configs.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .filter((config) => selection.slice === 'full' || meta.ci.includes(config.name))
    .map((config) => ({ config, skip: whyNotOn(meta, config, profile) }));
}

export function machinesFor(meta: ScenarioMeta, selection: RunSelection): VmConfig[] {
  return machineChoices(meta, selection).flatMap(({ config, skip }) => (skip ? [] : [config]));
}
