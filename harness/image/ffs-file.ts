// Reads the head of one file from an FFS1 or FFS2 filesystem inside an image, without mounting it
// (sys/ufs/ffs/fs.h, sys/ufs/ufs/dinode.h, sys/ufs/ufs/dir.h; little-endian, 4.4BSD directory format).
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { identifyFilesystem } from './filesystem.ts';

const SUPERBLOCK_BYTES = 1400;
const ROOT_INODE = 2;
const IFMT = 0o170000;
const IFDIR = 0o040000;
const IFREG = 0o100000;
const IFLNK = 0o120000;
const DIRECT_BLOCKS = 12;

interface Geometry {
  ffs2: boolean;
  fsize: number;
  bsize: number;
  frag: number;
  iblkno: number;
  ipg: number;
  fpg: number;
  inopb: number;
  cgoffset: number;
  cgmask: number;
}

interface Inode {
  mode: number;
  size: number;
  /** Fragment addresses of the direct blocks. */
  direct: number[];
}

/**
 * Up to `maxBytes` of the file at `path` (absolute), or undefined when the filesystem at `startByte` is not FFS, has
 * no such regular file, or the bytes asked for lie beyond its direct blocks or outside `bytes`.
 */
export async function readFfsFile(image: string, startByte: number, bytes: number, path: string, maxBytes = 65536): Promise<Buffer | undefined> {
  return withFfs(image, startByte, bytes, async (read, geometry) => {
    const found = await resolvePath(read, geometry, path, false);
    if (!found || (found.inode.mode & IFMT) !== IFREG) return undefined;
    return await readData(read, geometry, found.inode, Math.min(found.inode.size, maxBytes));
  });
}

/** Where an inode's direct block addresses lie in the image, and the width of each (4 bytes on FFS1, 8 on FFS2). */
export interface FfsBlockAddresses {
  byte: number;
  count: number;
  width: 4 | 8;
  /** Where the file's data begins in the image, and how many of its bytes the first block holds (whole fragments). */
  firstBlock: { byte: number; bytes: number };
}

/**
 * The direct block addresses of the regular file `path` resolves to (symbolic links followed) in the FFS at
 * `startByte`, or undefined when there is no FFS or no such file.
 */
export async function ffsBlockAddresses(image: string, startByte: number, bytes: number, path: string): Promise<FfsBlockAddresses | undefined> {
  return withFfs(image, startByte, bytes, async (read, geometry) => {
    const found = await resolvePath(read, geometry, path, true);
    if (!found || (found.inode.mode & IFMT) !== IFREG) return undefined;
    const width = geometry.ffs2 ? 8 : 4;
    const first = Math.min(geometry.bsize, Math.ceil(found.inode.size / geometry.fsize) * geometry.fsize);
    return {
      byte: startByte + found.at + (geometry.ffs2 ? 112 : 40),
      count: DIRECT_BLOCKS,
      width,
      firstBlock: { byte: startByte + found.inode.direct[0]! * geometry.fsize, bytes: first },
    };
  });
}

async function withFfs<T>(image: string, startByte: number, bytes: number, use: (read: Reader, g: Geometry) => Promise<T | undefined>): Promise<T | undefined> {
  const kind = (await identifyFilesystem(image, startByte, bytes))?.kind;
  if (kind !== 'ffs1' && kind !== 'ffs2') return undefined;
  const file = await open(image, 'r');
  try {
    const read = async (offset: number, length: number): Promise<Buffer | undefined> => {
      if (offset < 0 || offset + length > bytes) return undefined;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, startByte + offset);
      return bytesRead === length ? buffer : undefined;
    };
    const geometry = await readGeometry(read, kind === 'ffs2');
    return geometry && (await use(read, geometry));
  } finally {
    await file.close();
  }
}

/** The inode `path` names and its offset in the filesystem; with `follow`, symbolic links (short ones, kept in the inode) are followed. */
async function resolvePath(read: Reader, g: Geometry, path: string, follow: boolean, depth = 0): Promise<{ inode: Inode; at: number } | undefined> {
  let found = await readInode(read, g, ROOT_INODE);
  const names = path.split('/').filter(Boolean);
  for (const [i, name] of names.entries()) {
    if (!found || (found.inode.mode & IFMT) !== IFDIR) return undefined;
    const directory = await readData(read, g, found.inode, found.inode.size);
    const number = directory && lookup(directory, name);
    found = number ? await readInode(read, g, number) : undefined;
    if (follow && found && (found.inode.mode & IFMT) === IFLNK) {
      // A short target is kept where the block addresses would be (an inode with no blocks), a longer one in a block.
      const data = found.blocks === 0 ? found.inline.subarray(0, found.inode.size) : await readData(read, g, found.inode, found.inode.size);
      if (depth >= 8 || !data || data.length !== found.inode.size) return undefined;
      const target = data.toString('utf8');
      const parent = target.startsWith('/') ? [] : names.slice(0, i);
      const joined = posix.normalize(`/${[...parent, target].join('/')}/${names.slice(i + 1).join('/')}`);
      return resolvePath(read, g, joined, follow, depth + 1);
    }
  }
  return found;
}

type Reader = (offset: number, length: number) => Promise<Buffer | undefined>;

async function readGeometry(read: Reader, ffs2: boolean): Promise<Geometry | undefined> {
  // Both kinds have a superblock at 8 KiB here (identifyFilesystem checked FFS2's fs_sblockloc); newfs's FFS2 at 64 KiB.
  const at = ffs2 && (await read(65536 + 1372, 4))?.readUInt32LE(0) === 0x19540119 ? 65536 : 8192;
  const sb = await read(at, SUPERBLOCK_BYTES);
  if (!sb) return undefined;
  const g: Geometry = {
    ffs2,
    iblkno: sb.readInt32LE(16),
    cgoffset: sb.readInt32LE(24),
    cgmask: sb.readInt32LE(28),
    bsize: sb.readInt32LE(48),
    fsize: sb.readInt32LE(52),
    frag: sb.readInt32LE(56),
    inopb: sb.readInt32LE(120),
    ipg: sb.readInt32LE(184),
    fpg: sb.readInt32LE(188),
  };
  const sane = g.fsize >= 512 && g.bsize >= g.fsize && g.bsize <= 65536 && g.frag > 0 && g.inopb > 0 && g.ipg > 0 && g.fpg > 0;
  return sane ? g : undefined;
}

async function readInode(read: Reader, g: Geometry, number: number): Promise<{ inode: Inode; at: number; inline: Buffer; blocks: number } | undefined> {
  const cg = Math.floor(number / g.ipg);
  const cgStart = g.fpg * cg + (g.ffs2 ? 0 : g.cgoffset * (cg & ~g.cgmask));
  const indexInCg = number % g.ipg;
  const fragment = cgStart + g.iblkno + Math.floor(indexInCg / g.inopb) * g.frag;
  const size = g.ffs2 ? 256 : 128;
  const at = fragment * g.fsize + (indexInCg % g.inopb) * size;
  const raw = await read(at, size);
  if (!raw) return undefined;
  const direct = [];
  for (let i = 0; i < DIRECT_BLOCKS; i++) direct.push(g.ffs2 ? Number(raw.readBigInt64LE(112 + 8 * i)) : raw.readInt32LE(40 + 4 * i));
  const inline = g.ffs2 ? raw.subarray(112, 232) : raw.subarray(40, 100);
  const blocks = g.ffs2 ? Number(raw.readBigUInt64LE(24)) : raw.readInt32LE(104);
  return { inode: { mode: raw.readUInt16LE(0), size: Number(raw.readBigUInt64LE(g.ffs2 ? 16 : 8)), direct }, at, inline, blocks };
}

/** The first `length` bytes of the inode's data, from its direct blocks (a hole reads as zeros). */
async function readData(read: Reader, g: Geometry, inode: Inode, length: number): Promise<Buffer | undefined> {
  if (length > DIRECT_BLOCKS * g.bsize) return undefined;
  const parts: Buffer[] = [];
  for (let done = 0, i = 0; done < length; done += g.bsize, i++) {
    const want = Math.min(g.bsize, length - done);
    const address = inode.direct[i]!;
    const part = address === 0 ? Buffer.alloc(want) : await read(address * g.fsize, want);
    if (!part) return undefined;
    parts.push(part);
  }
  return Buffer.concat(parts, length);
}

/** The inode number of `name` in a directory's bytes (struct direct: ino, reclen, type, namlen, name). */
function lookup(directory: Buffer, name: string): number | undefined {
  for (let at = 0; at + 8 <= directory.length; ) {
    const ino = directory.readUInt32LE(at);
    const reclen = directory.readUInt16LE(at + 4);
    const namlen = directory[at + 7]!;
    if (reclen < 8) return undefined;
    if (ino !== 0 && directory.toString('utf8', at + 8, at + 8 + namlen) === name) return ino;
    at += reclen;
  }
  return undefined;
}
