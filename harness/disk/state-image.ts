// One disk image that becomes each crash state of a write log in turn: the disk as of the state's flush point,
// advanced in place, plus the state's own writes, which are undone before the next state. Building a state so
// costs its writes, not a copy of the disk.
import { copyFile, open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { BootproofError } from '../errors.ts';
import { ChunkHashes } from './chunk-hashes.ts';
import type { CrashState } from './crash-states.ts';
import { appliedWrites, applyEntries, type Extent, type WriteLog } from './write-log.ts';

export class StateImage {
  /** Hashes of the image's content, kept up to date as it changes (pass them to bootContent). */
  readonly hashes: ChunkHashes;
  private baseAt = -1;
  /** The current state's own writes and the bytes they overwrote. */
  private own: { extents: Extent[]; saved: Buffer[] } = { extents: [], saved: [] };

  private constructor(
    readonly path: string,
    private readonly log: WriteLog,
    private readonly logPath: string,
  ) {
    this.hashes = new ChunkHashes(path);
  }

  /** A copy of `baseImage` (the disk the log was recorded on) at `path`, as of before the log's first entry. */
  static async create(log: WriteLog, logPath: string, baseImage: string, path: string): Promise<StateImage> {
    await copyFile(baseImage, path, constants.COPYFILE_FICLONE);
    return new StateImage(path, log, logPath);
  }

  /** Makes the image the disk `state` leaves. States must come in order of their flush point (`base`). */
  async become(state: CrashState): Promise<void> {
    if (state.base < this.baseAt) {
      throw new BootproofError(`crash state ${state.id} builds on entry ${state.base}, but the image is already past entry ${this.baseAt}`);
    }
    await this.undoOwn();
    if (state.base > this.baseAt) await this.apply(this.baseAt + 1, state.base);
    this.baseAt = state.base;
    const extents = appliedWrites(this.log, state.base + 1, state.upTo, state.skip, state.torn);
    this.own = { extents, saved: await this.read(extents) };
    await this.apply(state.base + 1, state.upTo, state.skip, state.torn);
  }

  private async apply(from: number, to: number, skip?: number[], torn?: CrashState['torn']): Promise<void> {
    await applyEntries(this.log, this.logPath, this.path, from, to, skip, torn);
    this.hashes.changed(appliedWrites(this.log, from, to, skip, torn));
  }

  private async read(extents: Extent[]): Promise<Buffer[]> {
    const handle = await open(this.path, 'r');
    try {
      return await Promise.all(extents.map(async ({ start, bytes }) => (await handle.read(Buffer.alloc(bytes), 0, bytes, start)).buffer));
    } finally {
      await handle.close();
    }
  }

  /** Writes back what the current state's own writes overwrote (all read before they were applied, so in any order). */
  private async undoOwn(): Promise<void> {
    const { extents, saved } = this.own;
    if (extents.length === 0) return;
    const handle = await open(this.path, 'r+');
    try {
      for (const [i, { start, bytes }] of extents.entries()) await handle.write(saved[i]!, 0, bytes, start);
    } finally {
      await handle.close();
    }
    this.hashes.changed(extents);
    this.own = { extents: [], saved: [] };
  }
}
