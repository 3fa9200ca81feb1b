// The crash states a real disk can leave after a recorded run of writes: what was flushed, plus any part of what was not.
import type { LogEntry, WriteLog } from './write-log.ts';
import { flushPoints } from './write-log.ts';
import { seededRandom } from '../seeded-random.ts';

export type CrashStateKind = 'prefix' | 'single-drop' | 'subset' | 'torn';
export const crashStateKinds: readonly CrashStateKind[] = ['prefix', 'single-drop', 'subset', 'torn'];

export interface CrashState {
  id: string;
  kind: CrashStateKind;
  /** Last entry index applied (for a torn state: the entry applied in part). */
  upTo: number;
  /** Entry indexes left out. */
  skip: number[];
  /** A torn state: only the first `sectors` log sectors of entry `entry` (= upTo) are applied. */
  torn?: { entry: number; sectors: number };
  /**
   * The flush point the state builds on: everything up to it is on the disk, and the crash came before the next
   * one (the window's first entry minus one when no flush point precedes it).
   */
  base: number;
  description: string;
}

export interface CrashStateOptions {
  /** First and last entry of the window (default: the whole log). */
  window?: [number, number];
  /** How many seeded random subsets of an epoch's unflushed writes to add (default 0). */
  subsets?: number;
  /** Seed of the subsets (default 1): the same seed and log give the same states. */
  seed?: number;
  /** Disk ranges (log sectors) whose multi-sector writes are also applied in part, sector by sector. */
  tornRanges?: { sector: number; sectors: number }[];
}

interface Epoch {
  base: number;
  /** The flush point that ends it, or undefined for the writes after the window's last flush point. */
  end?: number;
  last: number;
  writes: LogEntry[];
}

/**
 * Power-loss states of the window, by kind: `prefix`, the disk as the window opens (a crash before its first write)
 * and as of each flush point; `single-drop`, an epoch (the writes between two flush points) with one of its writes
 * lost and all the later ones kept; `subset`, an epoch with a seeded random part of its writes lost; `torn`, a
 * multi-sector write in `tornRanges` applied only in part.
 * A write with FUA is never lost (it was durable when it completed, before the later ones were logged).
 */
export function crashStates(log: WriteLog, options: CrashStateOptions = {}): CrashState[] {
  const [first, last] = options.window ?? [0, log.entries.length - 1];
  const points = flushPoints(log).filter((index) => index >= first && index <= last);
  const states: CrashState[] = [
    {
      id: 'window-start',
      kind: 'prefix',
      upTo: first - 1,
      skip: [],
      base: first - 1,
      description: `disk as the window opens, before its first write (entry ${first})`,
    },
    ...points.map((index, n) => ({
      id: `flush-${index}`,
      kind: 'prefix' as const,
      upTo: index,
      skip: [],
      base: index,
      description: `disk as of flush point ${n + 1} of ${points.length} (entry ${index})`,
    })),
  ];
  const epochs = epochsOf(log, first, Math.min(last, log.entries.length - 1), points);

  for (const epoch of epochs) {
    const droppable = epoch.writes.filter((entry) => !entry.flags.fua);
    for (const entry of droppable) {
      states.push({
        id: `drop-${entry.index}`,
        kind: 'single-drop',
        upTo: epoch.last,
        skip: [entry.index],
        base: epoch.base,
        description: `epoch after entry ${epoch.base} up to ${epoch.last} without the ${what(entry)} ${entry.index} (sector ${entry.sector}, ${entry.sectors} sectors)`,
      });
    }
  }

  const random = seededRandom(options.seed ?? 1);
  const candidates = epochs.filter((epoch) => epoch.writes.filter((entry) => !entry.flags.fua).length >= 2);
  for (let n = 0; n < (options.subsets ?? 0) && candidates.length > 0; n++) {
    const epoch = candidates[Math.floor(random() * candidates.length)]!;
    const skip = epoch.writes.filter((entry) => !entry.flags.fua && random() < 0.5).map((entry) => entry.index);
    states.push({
      id: `subset-${n + 1}`,
      kind: 'subset',
      upTo: epoch.last,
      skip,
      base: epoch.base,
      description: `epoch after entry ${epoch.base} up to ${epoch.last} without ${skip.length} of its ${epoch.writes.length} writes (${skip.join(', ') || 'none'})`,
    });
  }

  const ranges = options.tornRanges ?? [];
  for (const epoch of epochs) {
    for (const entry of epoch.writes) {
      if (entry.flags.discard || entry.sectors < 2 || !ranges.some((r) => overlaps(entry, r))) continue;
      for (let sectors = 1; sectors < entry.sectors; sectors++) {
        states.push({
          id: `torn-${entry.index}.${sectors}`,
          kind: 'torn',
          upTo: entry.index,
          skip: [],
          torn: { entry: entry.index, sectors },
          base: epoch.base,
          description: `write ${entry.index} (sector ${entry.sector}, ${entry.sectors} sectors) torn after ${sectors} sector${sectors === 1 ? '' : 's'}, the writes of its epoch before it kept`,
        });
      }
    }
  }
  return states;
}

/** How many states of each kind. */
export function countKinds(states: { kind: CrashStateKind }[]): Record<CrashStateKind, number> {
  const counts = { prefix: 0, 'single-drop': 0, subset: 0, torn: 0 };
  for (const state of states) counts[state.kind]++;
  return counts;
}

/**
 * At most `max` states: every prefix state first (evenly spread if even they are too many), then the other kinds
 * sharing the rest of the budget, each evenly spread over its own states.
 */
export function boundStates(states: CrashState[], max: number): CrashState[] {
  if (states.length <= max) return states;
  const byKind = (kind: CrashStateKind) => states.filter((s) => s.kind === kind);
  const prefix = spread(byKind('prefix'), max);
  // The smaller kinds first, so that what they leave of their share goes to the larger ones.
  const others = [byKind('torn'), byKind('single-drop'), byKind('subset')].filter((list) => list.length > 0).sort((a, b) => a.length - b.length);
  const chosen = new Set<CrashState>(prefix);
  let budget = max - prefix.length;
  for (const [i, list] of others.entries()) {
    const share = Math.min(list.length, Math.ceil(budget / (others.length - i)));
    for (const state of spread(list, share)) chosen.add(state);
    budget -= share;
  }
  return states.filter((s) => chosen.has(s));
}

function epochsOf(log: WriteLog, first: number, last: number, points: number[]): Epoch[] {
  const epochs: Epoch[] = [];
  const bounds = [first - 1, ...points];
  for (const [i, base] of bounds.entries()) {
    const end = points[i];
    const lastEntry = end === undefined ? last : end - 1;
    const writes = log.entries.slice(base + 1, lastEntry + 1).filter((entry) => !entry.flags.flush);
    if (writes.length > 0) epochs.push({ base, end, last: lastEntry, writes });
  }
  return epochs;
}

function what(entry: LogEntry): string {
  return entry.flags.discard ? 'discard' : 'write';
}

function overlaps(entry: LogEntry, range: { sector: number; sectors: number }): boolean {
  return entry.sector < range.sector + range.sectors && range.sector < entry.sector + entry.sectors;
}

function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  if (max <= 0) return [];
  if (max === 1) return items.slice(-1);
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]!);
}

