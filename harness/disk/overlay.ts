// Copy-on-write overlays: a VM writes to a qcow2 file of its own and the base image stays untouched.
import { access, constants, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../errors.ts';
import { sha256File } from './sha256.ts';
import type { Extent } from './write-log.ts';

/**
 * Creates `overlay` (qcow2) backed by the raw or qcow2 image `base`, which QEMU then only reads. `clusterBytes`: the
 * overlay's unit of allocation (qcow2's cluster_size, 64 KiB by default), and so of overlayExtents().
 */
export async function createOverlay(base: string, overlay: string, options: { clusterBytes?: number } = {}): Promise<void> {
  const absolute = resolve(base);
  try {
    await access(absolute, constants.R_OK);
  } catch {
    throw new UsageError(`image ${absolute} is missing or unreadable: build the fixture (npx bootproof fixture build) or pass an existing --image`);
  }
  const format = await imageFormat(absolute);
  const cluster = options.clusterBytes ? ['-o', `cluster_size=${options.clusterBytes}`] : [];
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', format, '-b', absolute, ...cluster, overlay]);
}

/** The byte ranges of the disk that `overlay` holds itself, rather than its backing file (from qemu-img map). */
export async function overlayExtents(overlay: string): Promise<Extent[]> {
  const { stdout } = await execa('qemu-img', ['map', '--output=json', '-U', '-f', 'qcow2', overlay]);
  const entries = JSON.parse(stdout) as { start: number; length: number; depth: number }[];
  return entries.filter((e) => e.depth === 0).map((e) => ({ start: e.start, bytes: e.length }));
}

/**
 * Makes `overlay` stand on `base` alone: what the files between them in its backing chain held is copied into it
 * (qemu-img rebase in safe mode), so those files may go.
 */
export async function rebaseOverlay(overlay: string, base: string): Promise<void> {
  const absolute = resolve(base);
  await execa('qemu-img', ['rebase', '-q', '-f', 'qcow2', '-b', absolute, '-F', await imageFormat(absolute), overlay]);
}

/** The format QEMU sees in the file: qcow2, or raw for anything else. */
export async function imageFormat(path: string): Promise<'raw' | 'qcow2'> {
  const { stdout } = await execa('qemu-img', ['info', '--output=json', '-U', path]);
  const format = (JSON.parse(stdout) as { format: string }).format;
  return format === 'qcow2' ? 'qcow2' : 'raw';
}

/**
 * The sha256 of `bytes` at `start` of the disk that `image` (raw or qcow2, e.g. a running VM's overlay) presents,
 * read without taking QEMU's lock: a qcow2 range is first converted to a raw file in `scratch`.
 */
export async function sha256OfDiskRange(image: string, start: number, bytes: number, scratch: string): Promise<string> {
  if ((await imageFormat(image)) === 'raw') return sha256File(image, { start, bytes });
  const spec = `driver=raw,offset=${start},size=${bytes},file.driver=qcow2,file.file.driver=file,file.file.filename=${resolve(image)}`;
  try {
    await execa('qemu-img', ['convert', '-U', '--image-opts', spec, '-O', 'raw', scratch]);
    return await sha256File(scratch);
  } finally {
    await rm(scratch, { force: true });
  }
}
