// Where a test's images come from: the built-in fixture, or the user's own image and .fs files (`bootproof validate`
// sets BOOTPROOF_IMAGE and BOOTPROOF_FS).
import { dirname, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import type { TargetProfile } from '../config/profile.ts';
import { checkFixtureRequest, ensureFixture, type Fixture } from '../fixture/fixture.ts';
import { readPartitions } from '../disk/mbr.ts';
import { sha256File } from '../disk/sha256.ts';
import { UsageError } from '../errors.ts';

export interface UserImages {
  image: string;
  /** The .fs files in upgrade order: the first becomes version 2, the second version 3. */
  fs: string[];
}

export function userImagesFromEnv(env = process.env): UserImages | undefined {
  if (!env.BOOTPROOF_IMAGE) return undefined;
  let fs: unknown;
  try {
    fs = JSON.parse(env.BOOTPROOF_FS ?? '[]');
  } catch {
    fs = undefined;
  }
  if (!Array.isArray(fs) || fs.some((f) => typeof f !== 'string')) {
    throw new UsageError(`BOOTPROOF_FS: expected a JSON array of .fs paths, got ${env.BOOTPROOF_FS}`);
  }
  return { image: resolve(env.BOOTPROOF_IMAGE), fs: (fs as string[]).map((f) => resolve(f)) };
}

/** The images a test boots and upgrades to: the user's when given, else the fixture (built or cached). */
export async function imagesFor(arch: string, variant: string, profile: TargetProfile, user = userImagesFromEnv()): Promise<Fixture> {
  if (user) return (cached ??= asFixture(user, profile));
  const request = checkFixtureRequest(arch, variant, profile.fixtureShape);
  return ensureFixture(request.arch, request.variant, { shape: request.shape });
}

let cached: Promise<Fixture> | undefined;

/**
 * The user's files in the fixture's shape: root-v1.fs stands for the root the image boots by default (hashed from
 * the image), root-v2.fs and root-v3.fs are the first and second .fs (the first again when only one is given).
 */
async function asFixture(user: UserImages, profile: TargetProfile): Promise<Fixture> {
  if (user.fs.length === 0) throw new UsageError('validate needs at least one .fs file (--fs) for the upgrade scenarios');
  const v2 = user.fs[0]!;
  const v3 = user.fs[1] ?? v2;
  const files: Fixture['manifest']['files'] = {};
  const entry = async (path: string) => ({ sha256: await sha256File(path), bytes: (await stat(path)).size });
  files['disk.img'] = await entry(user.image);
  files['root-v2.fs'] = await entry(v2);
  files['root-v3.fs'] = await entry(v3);
  const number = Number(profile.partitions[profile.loader.defaultDevice]);
  const root = (await readPartitions(user.image)).find((p) => p.number === number);
  if (root) files['root-v1.fs'] = { sha256: await sha256File(user.image, { start: root.startByte, bytes: root.bytes }), bytes: root.bytes };
  return {
    dir: dirname(user.image),
    disk: user.image,
    rootFs: { 1: v2, 2: v2, 3: v3 },
    manifest: { arch: 'user', variant: 'normal', sourceDateEpoch: 0, kernel: '', rootPartitionBytes: root?.bytes ?? 0, files },
  };
}
