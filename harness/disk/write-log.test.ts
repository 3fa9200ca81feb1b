import test from 'ava';
import { appendFileSync, copyFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { applyEntries, findMarks, flushPoints, phaseAt, readWriteLog, replay, type WriteLog } from './write-log.ts';
import { crashStates as allStates, type CrashStateOptions } from './crash-states.ts';
import { testFolder } from '../testdata/test-folder.ts';

/** The prefix states: the disk as of each flush point. */
const crashStates = (log: WriteLog, options?: CrashStateOptions) => allStates(log, options).filter((s) => s.kind === 'prefix');

const KiB = 1024;
const MiB = 1024 * KiB;
const DISK_BYTES = 4 * MiB;


interface RecordOptions {
  sectorSize?: number;
  /** qemu-io's default cache mode: every write is followed by an emulated FUA flush that lags one write behind. */
  writethrough?: boolean;
  /** End with SIGKILL, so that closing the image logs no FLUSH. */
  crash?: boolean;
  discard?: boolean;
  base?: Buffer;
}

/** Runs qemu-io `commands` through blklogwrites on a copy of the base image. */
async function record(dir: string, commands: string[], options: RecordOptions = {}) {
  const base = join(dir, 'base.raw');
  const disk = join(dir, 'disk.raw');
  const log = join(dir, 'disk.log');
  writeFileSync(base, options.base ?? Buffer.alloc(DISK_BYTES));
  copyFileSync(base, disk);
  writeFileSync(log, '');
  const unmap = options.discard ? { discard: 'unmap' } : {};
  const spec = {
    driver: 'blklogwrites',
    ...unmap,
    file: { driver: 'file', filename: disk, ...unmap },
    log: { driver: 'file', filename: log },
    'log-sector-size': options.sectorSize ?? 512,
  };
  const args = [
    ...(options.writethrough ? [] : ['-t', 'writeback']),
    `json:${JSON.stringify(spec)}`,
    ...[...commands, ...(options.crash ? ['sigraise 9'] : [])].flatMap((command) => ['-c', command]),
  ];
  const result = await execa('qemu-io', args, { reject: false });
  const expected = options.crash ? result.signal === 'SIGKILL' : result.exitCode === 0;
  if (!expected || /error|fail/i.test(result.stdout + result.stderr)) {
    throw new Error(`qemu-io ${args.join(' ')} ended badly: ${result.exitCode ?? result.signal}\n${result.stdout}\n${result.stderr}`);
  }
  return { base, disk, log };
}

function kinds(log: WriteLog): string {
  return log.entries.map((entry) => (entry.flags.flush ? 'F' : entry.flags.discard ? 'D' : 'W')).join('');
}

function bytesAt(path: string, offset: number, length: number): Buffer {
  return readFileSync(path).subarray(offset, offset + length);
}

function filled(length: number, byte: number): Buffer {
  return Buffer.alloc(length, byte);
}

interface HandEntry {
  sector: number;
  sectors: number;
  flags: number;
  data?: Buffer | number;
}

/** A log built byte by byte; `superblockEntries` undefined leaves sector 0 zero. */
function handLog(sectorSize: number, superblockEntries: number | undefined, entries: HandEntry[]): Buffer {
  const superblock = Buffer.alloc(sectorSize);
  if (superblockEntries !== undefined) {
    superblock.writeBigUInt64LE(0x6a736677736872n, 0);
    superblock.writeBigUInt64LE(1n, 8);
    superblock.writeBigUInt64LE(BigInt(superblockEntries), 16);
    superblock.writeUInt32LE(sectorSize, 24);
  }
  const parts = [superblock];
  for (const entry of entries) {
    const header = Buffer.alloc(sectorSize);
    header.writeBigUInt64LE(BigInt(entry.sector), 0);
    header.writeBigUInt64LE(BigInt(entry.sectors), 8);
    header.writeBigUInt64LE(BigInt(entry.flags), 16);
    parts.push(header);
    if (entry.flags & 4) continue;
    const data = Buffer.alloc(entry.sectors * sectorSize, typeof entry.data === 'number' ? entry.data : 0);
    if (Buffer.isBuffer(entry.data)) entry.data.copy(data);
    parts.push(data);
  }
  return Buffer.concat(parts);
}

function markBlock(phase: string): Buffer {
  const block = Buffer.alloc(4096);
  block.write(`RFMARK1 ${phase}\n`, 'latin1');
  return block;
}

for (const sectorSize of [512, 4096]) {
  test(`replaying every entry over the base gives the final disk byte for byte (log sector ${sectorSize})`, async (t) => {
    const dir = await testFolder(t, 'write-log');
    const base = Buffer.alloc(DISK_BYTES);
    for (let i = 0; i < base.length; i++) base[i] = (i * 7) % 251;
    const { base: basePath, disk, log: logPath } = await record(
      dir,
      [
        'write -P 0xa1 0 64k',
        'flush',
        'write -P 0xb2 1M 4k',
        'write -P 0xc3 32k 8k',
        'write -P 0x22 1000 100',
        'discard 128k 64k',
        'write -z 256k 16k',
        'flush',
        'write -P 0xd4 3M 12k',
        'write -P 0x31 2M 4k',
        'write -P 0x32 2052k 4k',
        'write -P 0x33 2050k 4k',
        'write -P 0x34 2054k 202k',
        'discard 2256k 4k',
        'write -P 0x35 2260k 4k',
      ],
      { sectorSize, discard: true, base },
    );
    const log = await readWriteLog(logPath);
    t.is(log.sectorSize, sectorSize);
    t.true(kinds(log).includes('D'));
    const out = join(dir, 'out.raw');
    await replay(log, logPath, basePath, out, { upTo: log.entries.length - 1 });
    t.true(readFileSync(out).equals(readFileSync(disk)));
  });
}

test('the state at each flush point holds exactly the writes before it', async (t) => {
  const dir = await testFolder(t, 'write-log');
  const { base, disk, log: logPath } = await record(
    dir,
    ['write -P 0xa1 0 64k', 'flush', 'write -P 0xb2 1M 4k', 'write -P 0xc3 32k 8k', 'flush', 'write -P 0xd4 2M 4k'],
    { crash: true },
  );
  const log = await readWriteLog(logPath);
  t.is(kinds(log), 'WFWWFW');
  t.is(log.superblockEntries, 5);
  t.deepEqual(flushPoints(log), [1, 4]);
  const states = crashStates(log);
  t.deepEqual(
    states.map(({ id, upTo, skip }) => ({ id, upTo, skip })),
    [
      { id: 'window-start', upTo: -1, skip: [] },
      { id: 'flush-1', upTo: 1, skip: [] },
      { id: 'flush-4', upTo: 4, skip: [] },
    ],
  );

  const start = join(dir, 'start.raw');
  await replay(log, logPath, base, start, { upTo: -1 });
  t.true(readFileSync(start).equals(readFileSync(base)), 'the state before the first write is the disk the log was recorded on');

  const first = join(dir, 'first.raw');
  await replay(log, logPath, base, first, { upTo: 1 });
  t.deepEqual(bytesAt(first, 0, 64 * KiB), filled(64 * KiB, 0xa1));
  t.deepEqual(bytesAt(first, MiB, 4 * KiB), filled(4 * KiB, 0));
  t.deepEqual(bytesAt(first, 2 * MiB, 4 * KiB), filled(4 * KiB, 0));

  const second = join(dir, 'second.raw');
  await replay(log, logPath, base, second, { upTo: 4 });
  t.deepEqual(bytesAt(second, 0, 32 * KiB), filled(32 * KiB, 0xa1));
  t.deepEqual(bytesAt(second, 32 * KiB, 8 * KiB), filled(8 * KiB, 0xc3));
  t.deepEqual(bytesAt(second, 40 * KiB, 24 * KiB), filled(24 * KiB, 0xa1));
  t.deepEqual(bytesAt(second, MiB, 4 * KiB), filled(4 * KiB, 0xb2));
  t.deepEqual(bytesAt(second, 2 * MiB, 4 * KiB), filled(4 * KiB, 0));
  t.deepEqual(bytesAt(disk, 2 * MiB, 4 * KiB), filled(4 * KiB, 0xd4));

  await applyEntries(log, logPath, first, 2, 4);
  t.true(readFileSync(first).equals(readFileSync(second)));
});

test('consecutive FLUSHes with no write between them make one flush point', async (t) => {
  const dir = await testFolder(t, 'write-log');
  const { log: logPath } = await record(
    dir,
    ['write -P 1 0 4k', 'write -P 2 4k 4k', 'flush', 'write -P 3 8k 4k', 'flush'],
    { writethrough: true, crash: true },
  );
  const log = await readWriteLog(logPath);
  t.is(kinds(log), 'WWFFWF');
  t.deepEqual(flushPoints(log), [2, 5]);
  t.deepEqual(
    crashStates(log).map((state) => state.upTo),
    [-1, 2, 5],
  );
});

test('a log with no FLUSH yet has a zero superblock and is still read', async (t) => {
  for (const sectorSize of [512, 4096]) {
    const dir = await testFolder(t, 'write-log');
    const { base, disk, log: logPath } = await record(dir, ['write -P 0x5a 0 4k', 'write -P 0x5b 8k 4k'], { sectorSize, crash: true });
    t.deepEqual(bytesAt(logPath, 0, sectorSize), filled(sectorSize, 0));
    const log = await readWriteLog(logPath, { sectorSize });
    t.is(log.superblockEntries, 0);
    t.is(log.sectorSize, sectorSize);
    t.is(kinds(log), 'WW');
    t.deepEqual(flushPoints(log), []);
    const out = join(dir, 'out.raw');
    await replay(log, logPath, base, out, { upTo: 1 });
    t.true(readFileSync(out).equals(readFileSync(disk)));
  }
});

test('a cut log stops at its last whole entry; a bad header the superblock vouches for is corruption', async (t) => {
  const dir = await testFolder(t, 'write-log');
  const { log: logPath } = await record(dir, ['write -P 1 0 4k', 'flush', 'write -P 2 64k 64k'], { crash: true });
  const whole = readFileSync(logPath);
  const full = await readWriteLog(logPath);
  t.is(kinds(full), 'WFW');
  t.is(full.superblockEntries, 2);

  const variant = (name: string, content: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const lastHeader = full.entries[2]!.dataOffset - 512;
  t.is(kinds(await readWriteLog(variant('mid-data.log', whole.subarray(0, whole.length - 1000)))), 'WF');
  t.is(kinds(await readWriteLog(variant('mid-header.log', whole.subarray(0, lastHeader + 16)))), 'WF');
  const stale = variant('zero-tail.log', whole);
  appendFileSync(stale, Buffer.alloc(4096));
  t.is(kinds(await readWriteLog(stale)), 'WFW');

  const badTail = Buffer.from(whole);
  badTail.writeBigUInt64LE(0x100n, lastHeader + 16);
  t.is(kinds(await readWriteLog(variant('bad-tail.log', badTail))), 'WF');

  const badFlags = Buffer.from(whole);
  badFlags.writeBigUInt64LE(0x100n, 512 + 16);
  const badFlagsPath = variant('bad-flags.log', badFlags);
  const error = await t.throwsAsync(readWriteLog(badFlagsPath));
  t.true(error.message.includes(badFlagsPath));
  t.regex(error.message, /entry 0 \(byte offset 512\): unknown flags 0x100/);

  const badFlush = Buffer.from(whole);
  const flushHeader = full.entries[1]!.dataOffset - 512;
  badFlush.writeBigUInt64LE(5n, flushHeader);
  await t.throwsAsync(readWriteLog(variant('bad-flush.log', badFlush)), {
    message: new RegExp(`entry 1 \\(byte offset ${flushHeader}\\): a FLUSH with sector 5`),
  });

  truncateSync(logPath, 512 + 512 + 2048);
  await t.throwsAsync(readWriteLog(logPath), { message: /entry 0 \(byte offset 512\): 8 sectors of data run past the end/ });
});

test('marker writes name the phases and bound the upgrade window', async (t) => {
  const dir = await testFolder(t, 'write-log');
  const markOffset = DISK_BYTES - 4096;
  const imageWritten = join(dir, 'image-written.bin');
  writeFileSync(imageWritten, markBlock('image-written'));
  const upgradeDone = join(dir, 'upgrade-done.bin');
  writeFileSync(upgradeDone, Buffer.concat([filled(4096, 0x44), markBlock('upgrade-done')]));
  const { log: logPath } = await record(
    dir,
    [
      'write -P 1 0 4k',
      'flush',
      `write -s ${imageWritten} ${markOffset} 4k`,
      'write -P 2 8k 4k',
      'flush',
      `write -P 0x33 ${markOffset} 4k`,
      `write -s ${upgradeDone} ${markOffset - 4096} 8k`,
      'flush',
      'write -P 3 16k 4k',
      'flush',
    ],
    { crash: true },
  );
  const log = await readWriteLog(logPath);
  t.is(kinds(log), 'WFWWFWWFWF');
  const marks = await findMarks(log, logPath, markOffset / 512);
  t.deepEqual(marks, [
    { index: 2, phase: 'image-written' },
    { index: 6, phase: 'upgrade-done' },
  ]);
  t.is(phaseAt(marks, 1), 'before-upgrade');
  t.is(phaseAt(marks, 2), 'image-written');
  t.is(phaseAt(marks, 5), 'image-written');
  t.is(phaseAt(marks, 9), 'upgrade-done');
  const inWindow = crashStates(log, { window: [marks[0]!.index, marks[1]!.index] });
  t.deepEqual(
    inWindow.map((state) => state.upTo),
    [1, 4],
  );
});

test('a hand-made log with 4096-byte log sectors: superblock size, DISCARD as zeroes, marks in 4096-byte sectors', async (t) => {
  const dir = await testFolder(t, 'write-log');
  const logPath = join(dir, 'hand.log');
  writeFileSync(
    logPath,
    handLog(4096, 3, [
      { sector: 2, sectors: 2, flags: 0, data: 0x77 },
      { sector: 3, sectors: 1, flags: 4 },
      { sector: 0, sectors: 0, flags: 1 },
      { sector: 7, sectors: 1, flags: 0, data: markBlock('fsck-ok') },
    ]),
  );
  const log = await readWriteLog(logPath);
  t.is(log.sectorSize, 4096);
  t.is(log.superblockEntries, 3);
  t.deepEqual(
    log.entries.map(({ sector, sectors, dataOffset }) => ({ sector, sectors, dataOffset })),
    [
      { sector: 2, sectors: 2, dataOffset: 8192 },
      { sector: 3, sectors: 1, dataOffset: 20480 },
      { sector: 0, sectors: 0, dataOffset: 24576 },
      { sector: 7, sectors: 1, dataOffset: 28672 },
    ],
  );
  t.deepEqual(log.entries[1]!.flags, { flush: false, fua: false, discard: true, mark: false });

  const base = join(dir, 'base.raw');
  writeFileSync(base, filled(32 * KiB, 0xee));
  const out = join(dir, 'out.raw');
  await replay(log, logPath, base, out, { upTo: 3 });
  const image = readFileSync(out);
  t.deepEqual(image.subarray(0, 8192), filled(8192, 0xee));
  t.deepEqual(image.subarray(8192, 12288), filled(4096, 0x77));
  t.deepEqual(image.subarray(12288, 16384), filled(4096, 0));
  t.deepEqual(image.subarray(28672), markBlock('fsck-ok'));
  t.deepEqual(await findMarks(log, logPath, 7), [{ index: 3, phase: 'fsck-ok' }]);
  t.deepEqual(flushPoints(log), [2]);
});
