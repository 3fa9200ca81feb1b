// Recognises the filesystem at a byte offset of an image from its superblock: ext2/3/4, FAT, FFS, or none.
import { open } from 'node:fs/promises';

export interface FilesystemId {
  kind: 'ext2' | 'ext3' | 'ext4' | 'fat12' | 'fat16' | 'fat32' | 'ffs1' | 'ffs2';
  label?: string;
  /** The filesystem's own size, where its superblock says it (FFS: fragments times the fragment size). */
  bytes?: number;
}

const EXT_MAGIC = 0xef53;
const FFS1_MAGIC = 0x011954;
const FFS2_MAGIC = 0x19540119;
/**
 * Where FFS superblocks are (sys/ufs/ffs/fs.h): FFS1 at 8 KiB; FFS2 at 64 KiB as newfs writes it, or at 8 KiB, where
 * NetBSD's makefs writes it and the kernel's search finds it too (fs_sblockloc says which). The magic is at +1372.
 */
const ffsSuperblocks = [
  { at: 65536, magic: FFS2_MAGIC, kind: 'ffs2' },
  { at: 8192, magic: FFS2_MAGIC, kind: 'ffs2' },
  { at: 8192, magic: FFS1_MAGIC, kind: 'ffs1' },
] as const;

/** The filesystem starting at `startByte` (reading at most `bytes`), or undefined when none is recognised. */
export async function identifyFilesystem(image: string, startByte: number, bytes: number): Promise<FilesystemId | undefined> {
  const file = await open(image, 'r');
  try {
    const read = async (offset: number, length: number): Promise<Buffer | undefined> => {
      if (offset + length > bytes) return undefined;
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, startByte + offset);
      return bytesRead === length ? buffer : undefined;
    };
    const ext = await read(1024, 1024);
    if (ext && ext.readUInt16LE(56) === EXT_MAGIC) return extKind(ext);
    const boot = await read(0, 512);
    if (boot) {
      const fat = fatKind(boot);
      if (fat) return fat;
    }
    for (const { at, magic, kind } of ffsSuperblocks) {
      const sb = await read(at, 1400);
      if (!sb || sb.readUInt32LE(1372) !== magic) continue;
      if (kind === 'ffs2' && Number(sb.readBigInt64LE(1000)) !== at) continue;
      return { kind, ...label(sb.subarray(680, 712)), bytes: ffsFragments(sb, kind) * sb.readInt32LE(52) };
    }
    return undefined;
  } finally {
    await file.close();
  }
}

/** fs_size: FFS1's 32-bit count at +36, FFS2's 64-bit one at +1080. */
function ffsFragments(sb: Buffer, kind: 'ffs1' | 'ffs2'): number {
  return kind === 'ffs1' ? sb.readInt32LE(36) : Number(sb.readBigInt64LE(1080));
}

function extKind(sb: Buffer): FilesystemId {
  const compat = sb.readUInt32LE(92);
  const incompat = sb.readUInt32LE(96);
  const kind = incompat & 0x40 ? 'ext4' : compat & 0x4 ? 'ext3' : 'ext2';
  return { kind, ...label(sb.subarray(120, 136)) };
}

function fatKind(boot: Buffer): FilesystemId | undefined {
  if (boot.readUInt16LE(510) !== 0xaa55) return undefined;
  const fat32 = boot.toString('latin1', 82, 90);
  if (fat32 === 'FAT32   ') return { kind: 'fat32', ...fatLabel(boot.toString('latin1', 71, 82)) };
  const fat = boot.toString('latin1', 54, 62);
  if (fat === 'FAT12   ' || fat === 'FAT16   ') return { kind: fat === 'FAT12   ' ? 'fat12' : 'fat16', ...fatLabel(boot.toString('latin1', 43, 54)) };
  return undefined;
}

function label(field: Buffer): { label?: string } {
  const text = field.toString('utf8').replace(/\0.*$/s, '');
  return text ? { label: text } : {};
}

function fatLabel(text: string): { label?: string } {
  const trimmed = text.trimEnd();
  return trimmed && trimmed !== 'NO NAME' ? { label: trimmed } : {};
}
