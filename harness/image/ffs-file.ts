// Reads the head of one file from an FFS1 or FFS2 filesystem inside an image, without mounting it
// (sys/ufs/ffs/fs.h, sys/ufs/ufs/dinode.h, sys/ufs/ufs/dir.h; little-endian, 4.4BSD directory format).
import { open } from 'node:fs/promises';
import { identifyFilesystem } from './filesystem.ts';

const SUPERBLOCK_BYTES = 1400;
const ROOT_INODE = 2;
const IFMT = 0o170000;
const IFDIR = 0o040000;
const IFREG = 0o100000;
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
    if (!geometry) return undefined;
    let inode = await readInode(read, geometry, ROOT_INODE);
    for (const name of path.split('/').filter(Boolean)) {
      if (!inode || (inode.mode & IFMT) !== IFDIR) return undefined;
      const directory = await readData(read, geometry, inode, inode.size);
      const number = directory && lookup(directory, name);
      inode = number ? await readInode(read, geometry, number) : undefined;
    }
    if (!inode || (inode.mode & IFMT) !== IFREG) return undefined;
    return await readData(read, geometry, inode, Math.min(inode.size, maxBytes));
  } finally {
    await file.close();
  }
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

async function readInode(read: Reader, g: Geometry, number: number): Promise<Inode | undefined> {
  const cg = Math.floor(number / g.ipg);
  const cgStart = g.fpg * cg + (g.ffs2 ? 0 : g.cgoffset * (cg & ~g.cgmask));
  const indexInCg = number % g.ipg;
  const fragment = cgStart + g.iblkno + Math.floor(indexInCg / g.inopb) * g.frag;
  const size = g.ffs2 ? 256 : 128;
  const raw = await read(fragment * g.fsize + (indexInCg % g.inopb) * size, size);
  if (!raw) return undefined;
  const direct = [];
  for (let i = 0; i < DIRECT_BLOCKS; i++) direct.push(g.ffs2 ? Number(raw.readBigInt64LE(112 + 8 * i)) : raw.readInt32LE(40 + 4 * i));
  return { mode: raw.readUInt16LE(0), size: Number(raw.readBigUInt64LE(g.ffs2 ? 16 : 8)), direct };
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
