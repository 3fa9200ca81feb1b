// One disk image that becomes each crash state of a write log in turn. Beside it lies the disk as of the current
// flush point (the base); a state is built from the one before by copying back from the base only where the two
// states' own writes differ and applying the new state's writes there. Building a state so costs the difference
// between two states, not a copy of the disk or a replay of the whole epoch.
import { copyFile, open, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { BootproofError } from '../errors.ts';
import { ChunkHashes } from './chunk-hashes.ts';
import type { CrashState } from './crash-states.ts';
import { appliedWrites, applyEntries, type Extent, type WriteLog } from './write-log.ts';

const COPY_BYTES = 4 * 1024 * 1024;

export class StateImage {
  /** Hashes of the image's content, kept up to date as it changes (pass them to bootContent). */
  readonly hashes: ChunkHashes;
  private baseAt = -1;
  /** The current state's own writes: entry index → the bytes of it applied (fewer for a torn write). */
  private own = new Map<number, number>();

  private constructor(
    readonly path: string,
    private readonly basePath: string,
    private readonly log: WriteLog,
    private readonly logPath: string,
  ) {
    this.hashes = new ChunkHashes(path);
  }

  /** A copy of `baseImage` (the disk the log was recorded on) at `path`, as of before the log's first entry. */
  static async create(log: WriteLog, logPath: string, baseImage: string, path: string): Promise<StateImage> {
    const basePath = `${path}.base`;
    await copyFile(baseImage, path, constants.COPYFILE_FICLONE);
    await copyFile(baseImage, basePath, constants.COPYFILE_FICLONE);
    return new StateImage(path, basePath, log, logPath);
  }

  /** Makes the image the disk `state` leaves. States must come in order of their flush point (`base`). */
  async become(state: CrashState): Promise<void> {
    if (state.base < this.baseAt) {
      throw new BootproofError(`crash state ${state.id} builds on entry ${state.base}, but the image is already past entry ${this.baseAt}`);
    }
    if (state.base > this.baseAt) {
      await this.restore(this.extentsOf([...this.own.keys()]));
      this.own.clear();
      for (const image of [this.path, this.basePath]) await applyEntries(this.log, this.logPath, image, this.baseAt + 1, state.base);
      this.hashes.changed(appliedWrites(this.log, this.baseAt + 1, state.base));
      this.baseAt = state.base;
    }
    const wanted = new Map(appliedWrites(this.log, state.base + 1, state.upTo, state.skip, state.torn).map((w) => [w.entry.index, w.bytes]));
    const differing = [...new Set([...this.own.keys(), ...wanted.keys()])].filter((i) => this.own.get(i) !== wanted.get(i));
    if (differing.length === 0) return;
    const within = this.extentsOf(differing);
    await this.restore(within);
    await applyEntries(this.log, this.logPath, this.path, state.base + 1, state.upTo, { skip: state.skip, torn: state.torn, within });
    this.own = wanted;
  }

  /** Where these entries write, whole (a torn one's too), merged and in disk order. */
  private extentsOf(entries: number[]): Extent[] {
    const extents = entries
      .map((i) => this.log.entries[i]!)
      .map((e) => ({ start: e.sector * this.log.sectorSize, bytes: e.sectors * this.log.sectorSize }))
      .sort((a, b) => a.start - b.start);
    const merged: Extent[] = [];
    for (const e of extents) {
      const last = merged.at(-1);
      if (last && e.start <= last.start + last.bytes) last.bytes = Math.max(last.bytes, e.start + e.bytes - last.start);
      else merged.push({ ...e });
    }
    return merged;
  }

  /** Copies the base's bytes over the image's in these extents. */
  private async restore(extents: Extent[]): Promise<void> {
    if (extents.length === 0) return;
    const [base, image] = await Promise.all([open(this.basePath, 'r'), open(this.path, 'r+')]);
    try {
      const buffer = Buffer.alloc(Math.min(COPY_BYTES, Math.max(...extents.map((e) => e.bytes))));
      for (const { start, bytes } of extents) {
        for (let at = start; at < start + bytes; ) {
          const { bytesRead } = await base.read(buffer, 0, Math.min(buffer.length, start + bytes - at), at);
          if (bytesRead === 0) break;
          await image.write(buffer, 0, bytesRead, at);
          at += bytesRead;
        }
      }
    } finally {
      await Promise.all([base.close(), image.close()]);
    }
    this.hashes.changed(extents);
  }

  /** Removes the image and its base. */
  async remove(): Promise<void> {
    await Promise.all([rm(this.path, { force: true }), rm(this.basePath, { force: true })]);
  }
}
