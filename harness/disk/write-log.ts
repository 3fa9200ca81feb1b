// Reads and replays blklogwrites (dm-log-writes format) logs: the writes a guest completed, in order, with its FLUSHes.
import { constants } from 'node:fs';
import { copyFile, open, type FileHandle } from 'node:fs/promises';
import { BootproofError, UsageError } from '../errors.ts';

const MAGIC = 0x6a736677736872n;
const FLUSH = 1n;
const FUA = 2n;
const DISCARD = 4n;
const MARK = 8n;
const KNOWN_FLAGS = FLUSH | FUA | DISCARD | MARK;
const HEADER_BYTES = 32;
const SCAN_CHUNK = 256 * 1024;
const COPY_CHUNK = 4 * 1024 * 1024;
const COALESCE_BYTES = 1024 * 1024;
const COALESCE_BELOW = 128 * 1024;
const MARK_BYTES = 4096;

export interface LogEntry {
  index: number;
  /** First sector written, in log sectors. */
  sector: number;
  /** Length in log sectors (0 for a FLUSH). */
  sectors: number;
  flags: { flush: boolean; fua: boolean; discard: boolean; mark: boolean };
  /** Byte offset of the entry's data in the log file. */
  dataOffset: number;
}

export interface WriteLog {
  sectorSize: number;
  /** Entry count in the superblock (0 when no FLUSH was logged yet); later entries were found by scanning. */
  superblockEntries: number;
  entries: LogEntry[];
}

export interface Mark {
  index: number;
  phase: string;
}

/** Indexes a blklogwrites log with positioned reads; `sectorSize` counts only while the superblock is still zero. */
export async function readWriteLog(path: string, options: { sectorSize?: number } = {}): Promise<WriteLog> {
  const log = await openLog(path);
  try {
    const { size } = await log.stat();
    const superblock = Buffer.alloc(28);
    await readFully(log, superblock, 0);
    let sectorSize = options.sectorSize ?? 512;
    let superblockEntries = 0;
    if (!superblock.every((byte) => byte === 0)) {
      const magic = superblock.readBigUInt64LE(0);
      const version = superblock.readBigUInt64LE(8);
      if (magic !== MAGIC || version !== 1n) {
        throw new BootproofError(`${path} is not a blklogwrites log: magic 0x${magic.toString(16)}, version ${version}`);
      }
      superblockEntries = Number(superblock.readBigUInt64LE(16));
      sectorSize = superblock.readUInt32LE(24);
    }
    if (sectorSize < 512 || (sectorSize & (sectorSize - 1)) !== 0) {
      throw new BootproofError(`${path}: log sector size ${sectorSize} is not a power of two of at least 512`);
    }

    const entries: LogEntry[] = [];
    const chunk = Buffer.alloc(SCAN_CHUNK);
    let chunkStart = 0;
    let chunkLength = 0;
    let offset = sectorSize;
    for (;;) {
      const index = entries.length;
      const stop = (reason: string) => {
        if (index < superblockEntries) {
          throw new BootproofError(
            `${path}: corrupt write log at entry ${index} (byte offset ${offset}): ${reason}, but the superblock counts ${superblockEntries} entries`,
          );
        }
      };
      if (offset + sectorSize > size) {
        if (offset < size) stop('the header is cut short');
        else stop('the file ends');
        break;
      }
      if (offset < chunkStart || offset + HEADER_BYTES > chunkStart + chunkLength) {
        chunkStart = offset;
        chunkLength = await readFully(log, chunk, offset);
      }
      const at = offset - chunkStart;
      const sector = chunk.readBigUInt64LE(at);
      const count = chunk.readBigUInt64LE(at + 8);
      const flags = chunk.readBigUInt64LE(at + 16);
      const dataLength = chunk.readBigUInt64LE(at + 24);
      if (sector === 0n && count === 0n && flags === 0n && dataLength === 0n) {
        stop('the header is all zeroes');
        break;
      }
      const discard = (flags & DISCARD) !== 0n;
      const dataBytes = discard ? 0n : count * BigInt(sectorSize);
      const end = BigInt(offset + sectorSize) + dataBytes;
      const problem =
        (flags & ~KNOWN_FLAGS) !== 0n
          ? `unknown flags 0x${flags.toString(16)}`
          : (flags & FLUSH) !== 0n && (sector !== 0n || count !== 0n)
            ? `a FLUSH with sector ${sector} and ${count} sectors`
            : end > BigInt(size)
              ? `${count} sectors of data run past the end of the file (${size} bytes)`
              : undefined;
      if (problem) {
        stop(problem);
        break;
      }
      entries.push({
        index,
        sector: Number(sector),
        sectors: Number(count),
        flags: { flush: (flags & FLUSH) !== 0n, fua: (flags & FUA) !== 0n, discard, mark: (flags & MARK) !== 0n },
        dataOffset: offset + sectorSize,
      });
      offset = Number(end);
    }
    return { sectorSize, superblockEntries, entries };
  } finally {
    await log.close();
  }
}

/** Indexes of the FLUSH entries, a run of FLUSHes with no write between them counted once (by its first). */
export function flushPoints(log: WriteLog): number[] {
  const points: number[] = [];
  let wroteSince = true;
  for (const entry of log.entries) {
    if (entry.flags.flush) {
      if (wroteSince) points.push(entry.index);
      wroteSince = false;
    } else {
      wroteSince = true;
    }
  }
  return points;
}

/** What of a log to apply: entries `from` (default 0) to `upTo`, minus `skip`; `torn`: only the first sectors of one entry. */
export interface ReplayRange {
  from?: number;
  upTo: number;
  skip?: number[];
  torn?: { entry: number; sectors: number };
}

/**
 * Copies `baseImage` to `outImage` (a reflink where the filesystem allows) and applies the range; `baseImage` is the
 * disk as of entry `from - 1` (the recorded base image for `from` 0).
 */
export async function replay(log: WriteLog, logPath: string, baseImage: string, outImage: string, options: ReplayRange): Promise<void> {
  await copyFile(baseImage, outImage, constants.COPYFILE_FICLONE);
  await applyEntries(log, logPath, outImage, options.from ?? 0, options.upTo, options);
}

/** A byte range of a disk image: `start` and length in bytes. */
export interface Extent {
  start: number;
  bytes: number;
}

/** What applying entries `from`..`to` (inclusive, minus `skip`; `torn` cuts one short) does to an image, in log order. */
export function appliedWrites(
  log: WriteLog,
  from: number,
  to: number,
  skip: number[] = [],
  torn?: { entry: number; sectors: number },
): (Extent & { entry: LogEntry })[] {
  const skipped = new Set(skip);
  return log.entries
    .slice(from, to + 1)
    .filter((entry) => !entry.flags.flush && !skipped.has(entry.index))
    .map((entry) => ({
      entry,
      start: entry.sector * log.sectorSize,
      bytes: (torn?.entry === entry.index ? Math.min(torn.sectors, entry.sectors) : entry.sectors) * log.sectorSize,
    }));
}

/** Which of a range's writes to apply: minus `skip`; `torn` cuts one entry short; `within`: only their bytes in these extents. */
export interface ApplyOptions {
  skip?: number[];
  torn?: { entry: number; sectors: number };
  within?: Extent[];
}

/** Applies entries `from`..`to` (inclusive) to `image` in place, as `options` say: writes their data, zeroes for DISCARDs. */
export async function applyEntries(log: WriteLog, logPath: string, image: string, from: number, to: number, options: ApplyOptions = {}): Promise<void> {
  if (from < 0 || to >= log.entries.length || from > to + 1) {
    throw new BootproofError(`cannot apply entries ${from}..${to} of ${logPath}: it has ${log.entries.length}`);
  }
  const source = await openLog(logPath);
  try {
    const target = new CoalescingWriter(await open(image, 'r+'));
    try {
      const buffer = Buffer.alloc(COPY_CHUNK);
      let bufferStart = 0;
      let bufferLength = 0;
      let zeroes: Buffer | undefined;
      for (const { entry, start: position, bytes: length, dataOffset } of pieces(appliedWrites(log, from, to, options.skip, options.torn), options.within)) {
        for (let done = 0; done < length; done += COPY_CHUNK) {
          const chunk = Math.min(COPY_CHUNK, length - done);
          if (entry.flags.discard) {
            zeroes ??= Buffer.alloc(COPY_CHUNK);
            await target.write(zeroes.subarray(0, chunk), position + done);
            continue;
          }
          const at = dataOffset + done;
          if (at < bufferStart || at + chunk > bufferStart + bufferLength) {
            bufferStart = at;
            bufferLength = await readFully(source, buffer, at);
            if (bufferLength < chunk) throw new BootproofError(`${logPath} ends inside the data of entry ${entry.index}`);
          }
          await target.write(buffer.subarray(at - bufferStart, at - bufferStart + chunk), position + done);
        }
      }
      await target.flush();
    } finally {
      await target.handle.close();
    }
  } finally {
    await source.close();
  }
}

/** The writes' bytes to apply, each with where its data starts in the log: all of them, or their parts `within` the extents. */
function pieces(writes: (Extent & { entry: LogEntry })[], within?: Extent[]): (Extent & { entry: LogEntry; dataOffset: number })[] {
  if (!within) return writes.map((w) => ({ ...w, dataOffset: w.entry.dataOffset }));
  return writes.flatMap((w) =>
    within.flatMap(({ start, bytes }) => {
      const from = Math.max(w.start, start);
      const to = Math.min(w.start + w.bytes, start + bytes);
      return from < to ? [{ entry: w.entry, start: from, bytes: to - from, dataOffset: w.entry.dataOffset + (from - w.start) }] : [];
    }),
  );
}

/** Marker writes at `markSector` (log sectors): blocks whose text begins `RFMARK1 <phase>\n`, in log order. */
export async function findMarks(log: WriteLog, logPath: string, markSector: number): Promise<Mark[]> {
  const marks: Mark[] = [];
  const source = await openLog(logPath);
  try {
    const buffer = Buffer.alloc(MARK_BYTES);
    for (const entry of log.entries) {
      if (entry.flags.flush || entry.flags.discard) continue;
      if (markSector < entry.sector || markSector >= entry.sector + entry.sectors) continue;
      const skipBytes = (markSector - entry.sector) * log.sectorSize;
      const length = Math.min(MARK_BYTES, entry.sectors * log.sectorSize - skipBytes);
      const read = await readFully(source, buffer.subarray(0, length), entry.dataOffset + skipBytes);
      const text = buffer.toString('latin1', 0, read);
      const match = /^RFMARK1 ([\w.-]+)\n/.exec(text);
      if (match) marks.push({ index: entry.index, phase: match[1]! });
    }
  } finally {
    await source.close();
  }
  return marks;
}

/** The last phase marked at or before `entryIndex`, or 'before-upgrade'. */
export function phaseAt(marks: Mark[], entryIndex: number): string {
  let phase = 'before-upgrade';
  for (const mark of marks) {
    if (mark.index > entryIndex) break;
    phase = mark.phase;
  }
  return phase;
}

async function openLog(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw new UsageError(`cannot open write log ${path}`, { cause: error });
  }
}

/** Merges small writes that continue one another on the disk into one, in the order given. */
class CoalescingWriter {
  private readonly pending = Buffer.alloc(COALESCE_BYTES);
  private position = 0;
  private length = 0;

  constructor(readonly handle: FileHandle) {}

  async write(data: Buffer, position: number): Promise<void> {
    if (this.length > 0 && position === this.position + this.length && this.length + data.length <= this.pending.length) {
      data.copy(this.pending, this.length);
      this.length += data.length;
      return;
    }
    await this.flush();
    if (data.length >= COALESCE_BELOW) {
      await writeFully(this.handle, data, position);
      return;
    }
    data.copy(this.pending);
    this.position = position;
    this.length = data.length;
  }

  async flush(): Promise<void> {
    if (this.length > 0) await writeFully(this.handle, this.pending.subarray(0, this.length), this.position);
    this.length = 0;
  }
}

async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

async function writeFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, position + done);
    done += bytesWritten;
  }
}
