// Packed ramdisk images: pack a raw image behind a checksummed header (optionally zlib), and verify one before use.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflate, createInflate } from 'node:zlib';
import type { ImageFormat } from './format.ts';
import {
  CorruptRamdiskImage,
  decodeRamdiskHeader,
  encodeRamdiskHeader,
  flagCompressed,
  lookimageLines,
  ramdiskHeaderBytes,
  ramdiskMagic,
  type RamdiskHeader,
} from './ramdisk-header.ts';
import { UsageError } from '../errors.ts';

export interface PackOptions {
  compress?: boolean;
  /** Defaults to the input's file name. */
  name?: string;
  /** Defaults to mkimage's rpool/ROOT/ramdisk. */
  dataset?: string;
  /** Defaults to the image size rounded up to a MiB. */
  targetSize?: number;
}

/** Writes `output`: the header, then the raw image (zlib-compressed with `compress`). Returns the header. */
export async function packRamdiskImage(input: string, output: string, options: PackOptions = {}): Promise<RamdiskHeader> {
  const info = await stat(input).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`image pack: input ${input} is not a readable file`);
  if (info.size === 0) throw new UsageError(`image pack: input ${input} is empty: nothing to pack`);
  const targetSize = options.targetSize ?? Math.ceil(info.size / 1048576) * 1048576;
  if (targetSize < info.size) throw new UsageError(`image pack: --target-size ${targetSize} is smaller than the image (${info.size} bytes)`);
  const partial = `${output}.partial`;
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    const sink = createWriteStream(partial, { start: ramdiskHeaderBytes });
    if (options.compress) await pipeline(createReadStream(input), hashing, createDeflate({ level: 9 }), sink);
    else await pipeline(createReadStream(input), hashing, sink);
    const dataSize = (await stat(partial)).size - ramdiskHeaderBytes;
    const header: RamdiskHeader = {
      flags: options.compress ? flagCompressed : 0n,
      dataSize,
      imageSize: info.size,
      targetSize,
      sha256: hash.digest('hex'),
      datasetName: options.dataset ?? 'rpool/ROOT/ramdisk',
      imageName: options.name ?? basename(input),
    };
    if (dataSize > info.size) {
      throw new UsageError(`image pack: ${input} grows when compressed (${info.size} to ${dataSize} bytes): pack it without --compress`);
    }
    const file = await open(partial, 'r+');
    try {
      await file.write(encodeRamdiskHeader(header), 0, ramdiskHeaderBytes, 0);
    } finally {
      await file.close();
    }
    await rename(partial, output);
    return header;
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof Error && !(error instanceof UsageError) && /too long/.test(error.message)) throw new UsageError(`image pack: ${error.message}`);
    throw error;
  }
}

/**
 * Checks a packed image end to end: header, file length, zlib stream, image size and sha256 of the image.
 * Throws CorruptRamdiskImage naming the file and the reason. With `extractTo`, writes the image there.
 */
export async function verifyRamdiskImage(path: string, extractTo?: string): Promise<RamdiskHeader> {
  try {
    const header = decodeRamdiskHeader(await readHead(path));
    const fileBytes = (await stat(path)).size;
    const stored = fileBytes - ramdiskHeaderBytes;
    if (stored !== header.dataSize) {
      throw new CorruptRamdiskImage(
        `${stored} bytes follow the header, which says ${header.dataSize}: ${stored < header.dataSize ? 'truncated' : 'trailing bytes'}`,
      );
    }
    const hash = createHash('sha256');
    let imageBytes = 0;
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        imageBytes += chunk.length;
        done(null, chunk);
      },
    });
    const sink = extractTo ? createWriteStream(extractTo) : new Writable({ write: (_c, _e, done) => done() });
    const source = createReadStream(path, { start: ramdiskHeaderBytes });
    try {
      if (header.flags & flagCompressed) await pipeline(source, createInflate(), counting, sink);
      else await pipeline(source, counting, sink);
    } catch (error) {
      throw new CorruptRamdiskImage(`compressed data is corrupt (zlib: ${(error as Error).message})`);
    }
    if (imageBytes !== header.imageSize) {
      throw new CorruptRamdiskImage(`read ${imageBytes} bytes of image, but the header says there should be ${header.imageSize}`);
    }
    const sum = hash.digest('hex');
    if (sum !== header.sha256) throw new CorruptRamdiskImage(`image sum ${sum} does not match sum from header ${header.sha256}`);
    return header;
  } catch (error) {
    if (extractTo) await rm(extractTo, { force: true });
    if (error instanceof CorruptRamdiskImage) {
      throw new CorruptRamdiskImage(`packed image ${path} is refused: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

async function readHead(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(ramdiskHeaderBytes);
    const { bytesRead } = await file.read(head, 0, ramdiskHeaderBytes, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

export interface RamdiskFindings {
  imageName: string;
  flags: string;
  compressed: boolean;
  dataSize: number;
  imageSize: number;
  targetSize: number;
  imageSum: string;
  datasetName: string;
  lookimage: string[];
}

/** For `bootproof inspect`: the header as lookimage shows it, after verifying the whole image. */
export const ramdiskImageFormat: ImageFormat<RamdiskFindings> = {
  name: 'ramdisk-image',
  signature: `a packed ramdisk image: magic 0x${ramdiskMagic.toString(16)} little-endian at byte 0`,
  matches: (head) => head.length >= 4 && head.readUInt32LE(0) === ramdiskMagic,
  async inspect(path) {
    const header = await verifyRamdiskImage(path);
    return {
      imageName: header.imageName,
      flags: `0x${header.flags.toString(16)}`,
      compressed: (header.flags & flagCompressed) !== 0n,
      dataSize: header.dataSize,
      imageSize: header.imageSize,
      targetSize: header.targetSize,
      imageSum: header.sha256,
      datasetName: header.datasetName,
      lookimage: lookimageLines(header),
    };
  },
  describe: (findings) => [...findings.lookimage.map((line) => `  ${line}`), '  verified: header, sizes and image sum'],
};
