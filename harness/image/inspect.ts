// `bootproof inspect`: reads an image without booting it, recognising its format by content.
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { sha256File } from '../disk/sha256.ts';
import { headBytes, mib, type ImageFormat } from './format.ts';
import { imageFormats } from './formats.ts';

export interface Inspection {
  path: string;
  bytes: number;
  sha256: string;
  format: string;
  findings: object;
}

/** Checks that `path` is a readable, non-empty regular file; returns its size. */
export async function readableFileSize(path: string, what: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${what} ${path} does not exist: check the path`);
    throw new UsageError(`${what} ${path} cannot be read (${code}): check the path and its permissions`);
  }
  if (!info.isFile()) throw new UsageError(`${what} ${path} is not a regular file: name the image file itself`);
  if (info.size === 0) throw new UsageError(`${what} ${path} is empty (0 bytes): the copy or download did not finish; fetch it again`);
  try {
    await (await open(path, 'r')).close();
  } catch (error) {
    throw new UsageError(`${what} ${path} cannot be read (${(error as NodeJS.ErrnoException).code}): check its permissions`);
  }
  return info.size;
}

/** The format of the image, recognised by its first bytes. */
export async function detectFormat(path: string, formats: ImageFormat[] = imageFormats): Promise<{ format: ImageFormat; bytes: number }> {
  const bytes = await readableFileSize(path, 'image');
  const file = await open(path, 'r');
  const head = Buffer.alloc(Math.min(headBytes, bytes));
  try {
    await file.read(head, 0, head.length, 0);
  } finally {
    await file.close();
  }
  const format = formats.find((f) => f.matches(head, bytes));
  if (!format) {
    const looksLikeFs = head.length >= 1082 && head.readUInt16LE(1080) === 0xef53;
    throw new UsageError(
      `image ${path} is not a format bootproof knows (${formats.map((f) => f.signature).join('; ')}): ` +
        (looksLikeFs
          ? 'it is a bare ext2/3/4 filesystem, e.g. a .fs upgrade file; pass it with --fs and the whole disk image as the image'
          : 'pass the whole disk image (e.g. resflash-*.img), not a partition or a compressed file'),
    );
  }
  return { format, bytes };
}

export async function inspectImage(image: string, formats: ImageFormat[] = imageFormats): Promise<Inspection & { lines: string[] }> {
  const path = resolve(image);
  const { format, bytes } = await detectFormat(path, formats);
  const [findings, sha256] = await Promise.all([format.inspect(path, bytes), sha256File(path)]);
  const lines = [`${path}`, `  format  ${format.name}`, `  size    ${bytes} bytes (${mib(bytes)})`, `  sha256  ${sha256}`, ...format.describe(findings)];
  return { path, bytes, sha256, format: format.name, findings, lines };
}

