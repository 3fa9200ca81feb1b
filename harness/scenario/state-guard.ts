// What a shared starting state was made with: a checkpoint is used only where host, QEMU, accelerator, images,
// vm-config and profile are all the same as when it was saved.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { TargetProfile } from '../config/profile.ts';
import type { VmConfig } from '../config/vm-config.ts';
import { qemuVersion } from '../qemu/version.ts';

export interface StateGuard {
  host: string;
  qemu: { binary: string; version: string };
  accel: string;
  /** The sha256 of each image: the base disk ("disk.img") and the A/B .fs files, by their fixture names. */
  images: Record<string, string>;
  /** Paths of the disks attached after the boot disk, which a restored machine attaches again. */
  disks: string[];
  /** sha256 of the vm-config and of the target profile, as loaded. */
  vmConfig: string;
  profile: string;
}

export interface GuardInputs {
  config: VmConfig;
  profile: TargetProfile;
  accel: string;
  images: Record<string, string>;
  disks: string[];
}

export async function stateGuard({ config, profile, accel, images, disks }: GuardInputs): Promise<StateGuard> {
  return {
    host: hostname(),
    qemu: { binary: config.qemu.binary, version: await qemuVersion(config.qemu.binary) },
    accel,
    images,
    disks,
    vmConfig: contentHash(config),
    profile: contentHash(profile),
  };
}

/** Why a checkpoint saved under `saved` must not be resumed here, or undefined when it may. */
export function guardMismatch(saved: StateGuard, here: StateGuard): string | undefined {
  const reasons: string[] = [];
  if (saved.host !== here.host) reasons.push(`it was made on host ${saved.host}, this is ${here.host}`);
  if (saved.qemu.binary !== here.qemu.binary || saved.qemu.version !== here.qemu.version) {
    reasons.push(`it was made with ${saved.qemu.binary} (${saved.qemu.version}), this test runs ${here.qemu.binary} (${here.qemu.version})`);
  }
  if (saved.accel !== here.accel) reasons.push(`it was made under ${saved.accel}, this test runs under ${here.accel}`);
  for (const name of new Set([...Object.keys(saved.images), ...Object.keys(here.images)])) {
    const [then, now] = [saved.images[name], here.images[name]];
    if (then !== now) reasons.push(`it was made from another ${name} (sha256 ${short(then)}, this test's is ${short(now)})`);
  }
  if (saved.disks.join('\n') !== here.disks.join('\n')) reasons.push(`it has other disks attached (${saved.disks.join(', ') || 'none'})`);
  if (saved.vmConfig !== here.vmConfig) reasons.push('it was made with another version of the vm-config');
  if (saved.profile !== here.profile) reasons.push('it was made with another version of the target profile');
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

function short(sha256: string | undefined): string {
  return sha256 === undefined ? 'none' : sha256.slice(0, 12);
}

/** sha256 of a loaded config; its regular expressions count by their source. */
function contentHash(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));
  return createHash('sha256').update(text).digest('hex');
}
