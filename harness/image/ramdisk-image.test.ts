import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { packRamdiskImage, ramdiskImageFormat, verifyRamdiskImage } from './ramdisk-image.ts';
import { CorruptRamdiskImage, decodeRamdiskHeader, encodeRamdiskHeader, lookimageLines } from './ramdisk-header.ts';
import { inspectImage } from './inspect.ts';
import { testFolder } from '../testdata/test-folder.ts';

// A compressible "ramdisk": text repeated, then some random bytes.
const raw = Buffer.concat([Buffer.from('resflash ramdisk\n'.repeat(20000)), randomBytes(5000)]);
const rawSum = createHash('sha256').update(raw).digest('hex');

async function packed(t: import('ava').ExecutionContext, options: Parameters<typeof packRamdiskImage>[2] = {}) {
  const tmp = await testFolder(t, 'ramdisk');
  const input = join(tmp, 'initrd.img');
  await writeFile(input, raw);
  const output = join(tmp, 'initrd.packed');
  const header = await packRamdiskImage(input, output, options);
  return { header, output, bytes: await readFile(output), dir: tmp };
}

/** Writes a changed copy of the packed image and returns the refusal's message. */
async function refusal(t: import('ava').ExecutionContext, image: { output: string; bytes: Buffer }, change: (b: Buffer) => Buffer) {
  const corrupt = `${image.output}.corrupt`;
  await writeFile(corrupt, change(Buffer.from(image.bytes)));
  const error = await t.throwsAsync(() => verifyRamdiskImage(corrupt), { instanceOf: CorruptRamdiskImage });
  t.true(error!.message.startsWith(`packed image ${corrupt} is refused: `));
  return error!.message;
}

test('the header has mkimage version 2 layout: little-endian fields, sha256, two 128-byte names, 4 KiB', async (t) => {
  const { bytes, header } = await packed(t, { name: 'fixture-initrd', dataset: 'rpool/ROOT/ramdisk', targetSize: 4294967296 });
  t.is(bytes.readUInt32LE(0), 0x1deb0075);
  t.is(bytes.readUInt32LE(4), 2);
  t.is(bytes.readBigUInt64LE(8), 0n);
  t.is(bytes.readBigUInt64LE(16), BigInt(raw.length));
  t.is(bytes.readBigUInt64LE(24), BigInt(raw.length));
  t.is(bytes.readBigUInt64LE(32), 4294967296n);
  t.is(bytes.subarray(40, 72).toString('hex'), rawSum);
  t.is(bytes.subarray(72, 72 + 18).toString(), 'rpool/ROOT/ramdisk');
  t.is(bytes.subarray(200, 200 + 14).toString(), 'fixture-initrd');
  t.true(bytes.subarray(4096).equals(raw));
  t.is(header.sha256, rawSum);
});

test('inspect prints the fields lookimage prints, in its spelling', async (t) => {
  const plain = await packed(t, { name: 'testing-tar', targetSize: 4294967296 });
  const result = await inspectImage(plain.output);
  t.is(result.format, 'ramdisk-image');
  t.deepEqual(
    result.lines.slice(4, 11).map((l) => l.trim()),
    [
      'image name = testing-tar',
      'flags = 0x0 ((empty))',
      `data size = ${raw.length}`,
      `image size = ${raw.length}`,
      'target size = 4294967296',
      `image sum = ${rawSum}`,
      'dataset name = rpool/ROOT/ramdisk',
    ],
  );
});

test('a compressed image holds a zlib stream, says COMPRESSED and its ratio, and verifies', async (t) => {
  const { bytes, header, output } = await packed(t, { compress: true, name: 'z' });
  t.is(header.flags, 1n);
  t.true(header.dataSize < raw.length / 5);
  t.true(inflateSync(bytes.subarray(4096)).equals(raw));
  t.is(header.targetSize, Math.ceil(raw.length / 1048576) * 1048576);
  const lines = lookimageLines(header);
  t.is(lines[1], 'flags = 0x1 (COMPRESSED)');
  t.regex(lines[7] ?? '', /^ratio = \d+\.\d\dx$/);
  const extracted = join(output + '.raw');
  t.is((await verifyRamdiskImage(output, extracted)).sha256, rawSum);
  t.true((await readFile(extracted)).equals(raw));
});

test('refused: wrong magic, wrong version, unknown flags', async (t) => {
  const image = await packed(t);
  t.regex(await refusal(t, image, (b) => (b.writeUInt32LE(0x1deb0076, 0), b)), /wrong magic 0x1deb0076 \(expected 0x1deb0075\)/);
  t.regex(await refusal(t, image, (b) => (b.writeUInt32LE(1, 4), b)), /header version 1, expected 2/);
  t.regex(await refusal(t, image, (b) => (b.writeBigUInt64LE(4n, 8), b)), /unknown flags 0x4/);
});

test('refused: sizes that contradict each other or the file', async (t) => {
  const image = await packed(t);
  t.regex(await refusal(t, image, (b) => b.subarray(0, b.length - 100)), /100 bytes? follow|bytes follow the header, which says \d+: truncated/);
  t.regex(await refusal(t, image, (b) => Buffer.concat([b, Buffer.alloc(7)])), /follow the header, which says \d+: trailing bytes/);
  t.regex(await refusal(t, image, (b) => (b.writeBigUInt64LE(1n, 32), b)), /image size \d+ > target size 1/);
  t.regex(await refusal(t, image, (b) => (b.writeBigUInt64LE(0n, 16), b)), /data size is 0/);
  t.regex(await refusal(t, image, (b) => (b.writeBigUInt64LE(BigInt(raw.length - 1), 24), b)), /image size \d+ < data size \d+/);
  t.regex(await refusal(t, image, (b) => b.subarray(0, 100)), /only 100 bytes: a packed image starts with a 4096-byte header/);
});

test('refused: a flipped byte in the data, in the stored sum, or in the compressed stream', async (t) => {
  const image = await packed(t);
  t.regex(await refusal(t, image, (b) => ((b[4096 + 1234]! ^= 0x01), b)), /image sum [0-9a-f]{64} does not match sum from header [0-9a-f]{64}/);
  t.regex(await refusal(t, image, (b) => ((b[45]! ^= 0x80), b)), /does not match sum from header/);
  const compressed = await packed(t, { compress: true });
  const message = await refusal(t, compressed, (b) => ((b[b.length - 2]! ^= 0x01), b));
  t.regex(message, /compressed data is corrupt \(zlib: [^)]+\)|does not match sum from header/);
});

test('refused: names without their terminator and stray bytes in the padding', async (t) => {
  const image = await packed(t);
  t.regex(await refusal(t, image, (b) => (b.fill(0x41, 72, 200), b)), /dataset name is not terminated by a zero byte/);
  t.regex(await refusal(t, image, (b) => ((b[250] = 0x41), b)), /image name field has bytes after its end/);
  t.regex(await refusal(t, image, (b) => ((b[4000] = 1), b)), /header padding is not zero at byte 4000/);
});

test('pack refuses an empty input, a target smaller than the image, and a name too long', async (t) => {
  const tmp = await testFolder(t, 'ramdisk');
  const empty = join(tmp, 'empty');
  await writeFile(empty, '');
  await t.throwsAsync(() => packRamdiskImage(empty, join(tmp, 'o')), { message: /is empty: nothing to pack/ });
  const small = join(tmp, 'small');
  await writeFile(small, raw);
  await t.throwsAsync(() => packRamdiskImage(small, join(tmp, 'o'), { targetSize: 10 }), { message: /--target-size 10 is smaller than the image/ });
  await t.throwsAsync(() => packRamdiskImage(small, join(tmp, 'o'), { name: 'n'.repeat(128) }), { message: /image name "n+" is too long: at most 127 bytes/ });
});

test('a header decodes to what was encoded', (t) => {
  const header = { flags: 1n, dataSize: 10, imageSize: 20, targetSize: 30, sha256: 'ab'.repeat(32), datasetName: 'd', imageName: 'i' };
  t.deepEqual(decodeRamdiskHeader(encodeRamdiskHeader(header)), header);
  t.true(ramdiskImageFormat.matches(encodeRamdiskHeader(header), 4096));
});
