// Where a test's images come from: the built-in fixture, or the user's own image and .fs files (`bootproof validate`
// sets BOOTPROOF_IMAGE, BOOTPROOF_IMAGE_VERSION and BOOTPROOF_FS).
import { dirname, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import type { TargetProfile } from '../config/profile.ts';
import type { VmConfig } from '../config/vm-config.ts';
import { checkFixtureRequest, ensureFixture, type Fixture } from '../fixture/fixture.ts';
import { findPartition } from '../disk/root-partition.ts';
import { sha256File } from '../disk/sha256.ts';
import { UsageError } from '../errors.ts';

/** A .fs file and the version its root reports once booted. */
export interface VersionedFs {
  path: string;
  version: string;
}

export interface UserImages {
  image: string;
  /** The version the image's default root reports; undefined: learned from the first boot. */
  imageVersion?: string;
  /** The .fs files in upgrade order: the first is root 2, the second root 3. */
  fs: VersionedFs[];
}

export function userImagesFromEnv(env = process.env): UserImages | undefined {
  if (!env.BOOTPROOF_IMAGE) return undefined;
  let fs: unknown;
  try {
    fs = JSON.parse(env.BOOTPROOF_FS ?? '[]');
  } catch {
    fs = undefined;
  }
  const versioned = (f: unknown) => typeof f === 'object' && f !== null && typeof (f as VersionedFs).path === 'string' && typeof (f as VersionedFs).version === 'string';
  if (!Array.isArray(fs) || !fs.every(versioned)) {
    throw new UsageError(`BOOTPROOF_FS: expected a JSON array of {"path", "version"} objects, got ${env.BOOTPROOF_FS}`);
  }
  return {
    image: resolve(env.BOOTPROOF_IMAGE),
    ...(env.BOOTPROOF_IMAGE_VERSION ? { imageVersion: env.BOOTPROOF_IMAGE_VERSION } : {}),
    fs: (fs as VersionedFs[]).map((f) => ({ path: resolve(f.path), version: f.version })),
  };
}

/** Parses `--fs FILE=VERSION`: the .fs file and the version its root reports once booted. */
export function parseVersionedFs(text: string): VersionedFs {
  const at = text.lastIndexOf('=');
  const path = text.slice(0, at);
  const version = text.slice(at + 1);
  if (at <= 0 || version.trim() === '') {
    throw new UsageError(`--fs ${text}: name the version the .fs holds, as its root reports it (e.g. --fs ${at > 0 ? path : text}=7.6)`);
  }
  return { path, version };
}

/** The images a test boots and upgrades to: the user's when given, else the fixture (built or cached). */
export async function imagesFor(arch: string, variant: string, profile: TargetProfile, user = userImagesFromEnv()): Promise<Fixture> {
  if (user) return (cached ??= asFixture(user, profile));
  const request = checkFixtureRequest(arch, variant, profile.fixtureShape);
  return ensureFixture(request.arch, request.variant, { shape: request.shape });
}

let cached: Promise<Fixture> | undefined;

/** What a test boots: a disk image and, when the run has A/B images (the fixture's, or validate's --fs), those. */
export interface BootImages {
  disk: string;
  sha256: string;
  /** Absent when the run boots a user's image without .fs files (run --image, a vm-config's "image"). */
  fixture?: Fixture;
}

/**
 * The images of one test: validate's image and .fs files, else the machine's own image (`--image` or the
 * vm-config's `image`, with no A/B images), else the fixture of its architecture.
 */
export async function bootImagesFor(config: VmConfig, variant: string, profile: TargetProfile, user = userImagesFromEnv()): Promise<BootImages> {
  const image = user?.fs.length === 0 ? user.image : user ? undefined : config.media.image;
  if (image) return { disk: image, sha256: await (hashes[image] ??= sha256File(image)) };
  const fixture = await imagesFor(config.arch, variant, profile, user);
  return { disk: fixture.disk, sha256: fixture.manifest.files['disk.img']?.sha256 ?? (await sha256File(fixture.disk)), fixture };
}

const hashes: Record<string, Promise<string>> = {};

/**
 * The user's files in the fixture's shape: root-v1.fs stands for the root the image boots by default (hashed from
 * the image), root-v2.fs and root-v3.fs are the first and second .fs (the first again when only one is given).
 */
async function asFixture(user: UserImages, profile: TargetProfile): Promise<Fixture> {
  if (user.fs.length === 0) throw new UsageError('validate needs at least one .fs file (--fs) for the upgrade scenarios');
  const first = user.fs[0]!;
  const second = user.fs[1] ?? first;
  const [v2, v3] = [first.path, second.path];
  const files: Fixture['manifest']['files'] = {};
  const entry = async (path: string) => ({ sha256: await sha256File(path), bytes: (await stat(path)).size });
  files['disk.img'] = await entry(user.image);
  files['root-v2.fs'] = await entry(v2);
  files['root-v3.fs'] = await entry(v3);
  const where = profile.partitions[profile.loader.defaultDevice];
  const root = where === undefined ? undefined : await findPartition(user.image, where);
  if (root) files['root-v1.fs'] = { sha256: await sha256File(user.image, { start: root.startByte, bytes: root.bytes }), bytes: root.bytes };
  return {
    dir: dirname(user.image),
    disk: user.image,
    rootFs: { 1: v2, 2: v2, 3: v3 },
    versions: { 1: user.imageVersion, 2: first.version, 3: second.version },
    manifest: { arch: 'user', variant: 'normal', sourceDateEpoch: 0, kernel: '', rootPartitionBytes: root?.bytes ?? 0, files },
  };
}
