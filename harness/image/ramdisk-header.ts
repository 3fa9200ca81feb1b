// The 4 KiB header of a packed ramdisk image (Oxide's mkimage/lookimage format, version 2), encoded and decoded.
import { BootproofError } from '../errors.ts';

export const ramdiskMagic = 0x1deb0075;
export const ramdiskVersion = 2;
export const ramdiskHeaderBytes = 4096;
export const flagCompressed = 1n;
const nameFieldBytes = 128;
const offsets = { magic: 0, version: 4, flags: 8, dataSize: 16, imageSize: 24, targetSize: 32, sha256: 40, dataset: 72, imageName: 200, end: 328 };

export interface RamdiskHeader {
  /** Bit 0 (1): the data after the header is zlib-compressed. */
  flags: bigint;
  /** Bytes stored after the header (compressed size when compressed). */
  dataSize: number;
  /** Bytes of the image itself, once decompressed. */
  imageSize: number;
  /** Size of the ramdisk the image is loaded into. */
  targetSize: number;
  /** sha256 of the image (the decompressed data), 64 hex digits. */
  sha256: string;
  datasetName: string;
  imageName: string;
}

/** A packed image that must not be booted, with the reason. */
export class CorruptRamdiskImage extends BootproofError {}

export function encodeRamdiskHeader(header: RamdiskHeader): Buffer {
  const bytes = Buffer.alloc(ramdiskHeaderBytes);
  bytes.writeUInt32LE(ramdiskMagic, offsets.magic);
  bytes.writeUInt32LE(ramdiskVersion, offsets.version);
  bytes.writeBigUInt64LE(header.flags, offsets.flags);
  bytes.writeBigUInt64LE(BigInt(header.dataSize), offsets.dataSize);
  bytes.writeBigUInt64LE(BigInt(header.imageSize), offsets.imageSize);
  bytes.writeBigUInt64LE(BigInt(header.targetSize), offsets.targetSize);
  if (!/^[0-9a-f]{64}$/.test(header.sha256)) throw new Error(`sha256 must be 64 lowercase hex digits, got "${header.sha256}"`);
  Buffer.from(header.sha256, 'hex').copy(bytes, offsets.sha256);
  writeName(bytes, offsets.dataset, header.datasetName, 'dataset name');
  writeName(bytes, offsets.imageName, header.imageName, 'image name');
  return bytes;
}

/** Decodes and checks a header: magic, version, flags, sizes, names, zero padding. Throws CorruptRamdiskImage with the reason. */
export function decodeRamdiskHeader(bytes: Buffer): RamdiskHeader {
  if (bytes.length < ramdiskHeaderBytes) {
    throw new CorruptRamdiskImage(`only ${bytes.length} bytes: a packed image starts with a ${ramdiskHeaderBytes}-byte header`);
  }
  const magic = bytes.readUInt32LE(offsets.magic);
  if (magic !== ramdiskMagic) throw new CorruptRamdiskImage(`wrong magic 0x${hex(magic)} (expected 0x${hex(ramdiskMagic)}): not a packed ramdisk image`);
  const version = bytes.readUInt32LE(offsets.version);
  if (version !== ramdiskVersion) throw new CorruptRamdiskImage(`header version ${version}, expected ${ramdiskVersion}`);
  const flags = bytes.readBigUInt64LE(offsets.flags);
  if ((flags & ~flagCompressed) !== 0n) throw new CorruptRamdiskImage(`unknown flags 0x${flags.toString(16)} (only 0x1, compressed, is defined)`);
  const dataSize = size(bytes, offsets.dataSize, 'data size');
  const imageSize = size(bytes, offsets.imageSize, 'image size');
  const targetSize = size(bytes, offsets.targetSize, 'target size');
  if (dataSize === 0) throw new CorruptRamdiskImage('data size is 0');
  if (imageSize < dataSize) throw new CorruptRamdiskImage(`image size ${imageSize} < data size ${dataSize}`);
  if (imageSize > targetSize) throw new CorruptRamdiskImage(`image size ${imageSize} > target size ${targetSize}`);
  const header: RamdiskHeader = {
    flags,
    dataSize,
    imageSize,
    targetSize,
    sha256: bytes.subarray(offsets.sha256, offsets.sha256 + 32).toString('hex'),
    datasetName: readName(bytes, offsets.dataset, 'dataset name'),
    imageName: readName(bytes, offsets.imageName, 'image name'),
  };
  const stray = bytes.subarray(offsets.end, ramdiskHeaderBytes).findIndex((b) => b !== 0);
  if (stray >= 0) throw new CorruptRamdiskImage(`header padding is not zero at byte ${offsets.end + stray}`);
  return header;
}

/** The lines lookimage prints for a header, in its order and spelling. */
export function lookimageLines(header: RamdiskHeader): string[] {
  const compressed = (header.flags & flagCompressed) !== 0n;
  return [
    `image name = ${header.imageName}`,
    `flags = 0x${header.flags.toString(16)} (${compressed ? 'COMPRESSED' : '(empty)'})`,
    `data size = ${header.dataSize}`,
    `image size = ${header.imageSize}`,
    `target size = ${header.targetSize}`,
    `image sum = ${header.sha256}`,
    `dataset name = ${header.datasetName}`,
    ...(compressed ? [`ratio = ${(header.imageSize / header.dataSize).toFixed(2)}x`] : []),
  ];
}

function writeName(bytes: Buffer, at: number, value: string, what: string): void {
  const encoded = Buffer.from(value, 'utf8');
  if (encoded.length >= nameFieldBytes) throw new Error(`${what} "${value}" is too long: at most ${nameFieldBytes - 1} bytes`);
  encoded.copy(bytes, at);
}

function readName(bytes: Buffer, at: number, what: string): string {
  const field = bytes.subarray(at, at + nameFieldBytes);
  const end = field.indexOf(0);
  if (end < 0) throw new CorruptRamdiskImage(`${what} is not terminated by a zero byte`);
  const stray = field.subarray(end).findIndex((b) => b !== 0);
  if (stray >= 0) throw new CorruptRamdiskImage(`${what} field has bytes after its end (at byte ${at + end + stray})`);
  const text = field.subarray(0, end).toString('utf8');
  if (text.includes('\uFFFD')) throw new CorruptRamdiskImage(`${what} is not valid UTF-8`);
  return text;
}

function size(bytes: Buffer, at: number, what: string): number {
  const value = bytes.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptRamdiskImage(`${what} ${value} is impossibly large`);
  return Number(value);
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
