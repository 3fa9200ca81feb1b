// A copy of a disk image with one damage of a fixed set (config/damages.ts) done on the host, before any boot: what
// a target profile's fail-fast patterns name as provoking them.
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { execa } from 'execa';
import { damages, type Damage } from '../config/damages.ts';
import type { TargetProfile } from '../config/profile.ts';
import { BootproofError, UsageError } from '../errors.ts';
import { imageFormat } from '../disk/overlay.ts';
import { bootContent, bootLayout, type BootLayout, type Region } from './boot-content.ts';
import { extFileBlocks } from './ext-file.ts';
import { ffsBlockAddresses } from './ffs-file.ts';
import { identifyFilesystem } from './filesystem.ts';

export interface DamagedImage {
  path: string;
  /** What was damaged, in words: the damage, the partition and what was written. */
  done: string;
}

type ProfileParts = Pick<TargetProfile, 'partitions' | 'loader' | 'commands'>;

/** Copies `image` (raw or qcow2) to `out` as a raw image (sparse) and damages the copy as `damage` says; `image` is only read. */
export async function makeDamagedImage(image: string, damage: Damage, profile: ProfileParts, out: string): Promise<DamagedImage> {
  if (!(damage in damages)) throw new UsageError(`unknown damage "${damage}": choose one of ${Object.keys(damages).join(', ')}`);
  if ((await imageFormat(image)) === 'qcow2') await execa('qemu-img', ['convert', '-U', '-O', 'raw', image, out]);
  else await execa('cp', ['--sparse=always', '--reflink=auto', image, out]);
  const layout = await bootLayout(out, profile.partitions, profile.commands.bootConf);
  const target = damage.startsWith('cfg-') ? await cfgPartition(out, layout) : await bootedRoot(out, layout, profile);
  const where = `partition ${target.name} (byte ${target.startByte})`;
  switch (damage) {
    case 'root-unreadable':
      await writeAt(out, target.startByte, Buffer.alloc(Math.min(128 * 1024, target.bytes)));
      return { path: out, done: `${damage}: zeroed the first 128 KiB of root ${where}` };
    case 'cfg-unmountable':
      await writeAt(out, target.startByte, Buffer.alloc(4096));
      return { path: out, done: `${damage}: zeroed the first 4 KiB of /cfg, ${where}` };
    case 'cfg-inconsistent':
      return { path: out, done: `${damage}: ${await miscountFreeBlocks(out, target)} on /cfg, ${where}` };
    case 'init-unreadable':
      return { path: out, done: `${damage}: ${await misplaceBlocks(out, target, '/sbin/init')} on root ${where}` };
    case 'init-not-executable': {
      const first = await firstBlock(out, target, '/sbin/init');
      await writeAt(out, first.byte, Buffer.alloc(first.bytes));
      return { path: out, done: `${damage}: zeroed the first ${first.bytes} bytes of ${first.file} on root ${where}` };
    }
  }
}

/** The root partition the image's boot.conf names (the loader's default device when it names none). */
async function bootedRoot(image: string, layout: BootLayout, profile: ProfileParts): Promise<Region> {
  const named = (await bootContent(image, layout, profile.commands.bootConfLine)).named ?? profile.loader.defaultDevice;
  const root = layout.roots.get(named);
  if (!root) throw new UsageError(`${image}: no partition for root ${named} (the profile's partitions: ${JSON.stringify(profile.partitions)})`);
  return root;
}

/**
 * /cfg: the one partition with a filesystem that is neither a root, nor boot.conf's, nor FAT (an ESP); among several
 * (a firmware's own boot partition, e.g. Open Firmware's), the one whose label names cfg.
 */
async function cfgPartition(image: string, layout: BootLayout): Promise<Region> {
  const skip = new Set([...layout.roots.values(), ...(layout.bootConf ? [layout.bootConf.partition] : [])].map((p) => p.name));
  const found: (Region & { label?: string })[] = [];
  for (const p of layout.partitions.filter((p) => !skip.has(p.name))) {
    const fs = await identifyFilesystem(image, p.startByte, p.bytes);
    if (fs && !fs.kind.startsWith('fat')) found.push({ ...p, label: fs.label });
  }
  const labelled = found.filter((p) => /cfg/i.test(p.label ?? ''));
  if (found.length !== 1 && labelled.length !== 1) {
    const names = found.map((p) => (p.label ? `${p.name} "${p.label}"` : p.name)).join(', ') || 'none';
    throw new UsageError(
      `${image}: cannot tell /cfg: it is the one filesystem besides the roots, /mbr and FAT, or among several the one labelled cfg, and the image has ${found.length} (${names})`,
    );
  }
  return found.length === 1 ? found[0]! : labelled[0]!;
}

async function writeAt(path: string, byte: number, data: Buffer): Promise<void> {
  const file = await open(path, 'r+');
  try {
    await file.write(data, 0, data.length, byte);
  } finally {
    await file.close();
  }
}

/** Block group 0's free-block count in the ext filesystem's descriptor set one higher than it is (debugfs set_bg). */
async function miscountFreeBlocks(image: string, partition: Region): Promise<string> {
  const kind = (await identifyFilesystem(image, partition.startByte, partition.bytes))?.kind;
  if (!kind?.startsWith('ext')) throw new UsageError(`cfg-inconsistent needs an ext2/3/4 /cfg; partition ${partition.name} holds ${kind ?? 'no filesystem'}`);
  const target = `${image}?offset=${partition.startByte}`;
  const stats = await execa('debugfs', ['-R', 'stats', target], { reject: false });
  const free = /Group\s+0:[^\n]*\n\s*(\d+) free blocks/.exec(stats.stdout)?.[1];
  if (free === undefined) throw new BootproofError(`debugfs could not read group 0 of ${target}: ${stats.stderr.trim()}`);
  const wrong = Number(free) + 1;
  // With group descriptor checksums (ext4's metadata_csum) the checksum is made to match: the count alone is wrong.
  const commands = `set_bg 0 free_blocks_count ${wrong}\nset_bg 0 checksum calc\n`;
  const set = await execa('debugfs', ['-w', '-f', '-', target], { reject: false, input: commands });
  const errors = set.stderr.split('\n').filter((line) => line && !line.startsWith('debugfs '));
  if (set.exitCode !== 0 || errors.length > 0) throw new BootproofError(`debugfs could not set group 0's free blocks in ${target}: ${errors.join('; ')}`);
  return `group 0's free-block count set to ${wrong} (it has ${free})`;
}

/** Every direct block address of the file at `path` (FFS) pointed past the end of its partition. */
async function misplaceBlocks(image: string, partition: Region, path: string): Promise<string> {
  const found = await ffsBlockAddresses(image, partition.startByte, partition.bytes, path);
  if (!found) throw new UsageError(`init-unreadable needs an FFS root holding ${path}; partition ${partition.name} has none`);
  const past = 0x7fff0000;
  const addresses = Buffer.alloc(found.count * found.width);
  for (let i = 0; i < found.count; i++) {
    if (found.width === 4) addresses.writeInt32LE(past, 4 * i);
    else addresses.writeBigInt64LE(BigInt(past), 8 * i);
  }
  await writeAt(image, found.byte, addresses);
  return `the ${found.count} direct block addresses of ${path} set to fragment ${past}, past the partition's end`;
}

/** The first data block of the file `path` resolves to (its last symbolic link followed on ext, every one on FFS). */
async function firstBlock(image: string, partition: Region, path: string): Promise<{ byte: number; bytes: number; file: string }> {
  const kind = (await identifyFilesystem(image, partition.startByte, partition.bytes))?.kind;
  if (kind === 'ffs1' || kind === 'ffs2') {
    const found = await ffsBlockAddresses(image, partition.startByte, partition.bytes, path);
    if (found && found.firstBlock.bytes > 0) return { ...found.firstBlock, file: `the file ${path} resolves to` };
  } else if (kind?.startsWith('ext')) {
    const file = await extLinkTarget(image, partition.startByte, path);
    const found = file && (await extFileBlocks(image, partition.startByte, file));
    if (file && found) return { byte: partition.startByte + found.blocks[0]! * found.blockSize, bytes: found.blockSize, file: file === path ? file : `${file}, the file ${path} resolves to` };
  }
  throw new UsageError(`init-not-executable needs a root (ext or FFS) holding a file at ${path}; partition ${partition.name} (${kind ?? 'no filesystem'}) has none`);
}

/** The path `path` resolves to on an ext filesystem (debugfs follows the links before the last component itself). */
async function extLinkTarget(image: string, startByte: number, path: string, depth = 0): Promise<string | undefined> {
  const stat = await execa('debugfs', ['-R', `stat ${path}`, `${image}?offset=${startByte}`], { reject: false });
  if (/Type: regular/.test(stat.stdout)) return path;
  const target = /Type: symlink/.test(stat.stdout) ? /^Fast link dest: "(.*)"$/m.exec(stat.stdout)?.[1] : undefined;
  if (target === undefined || depth >= 8) return undefined;
  return extLinkTarget(image, startByte, posix.resolve(posix.dirname(path), target), depth + 1);
}
