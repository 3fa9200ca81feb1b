import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundStates, countKinds, crashStates } from './crash-states.ts';
import { readWriteLog, replay } from './write-log.ts';
import { testFolder } from '../testdata/test-folder.ts';
import { logOf } from '../testdata/write-log-of.ts';

const FLUSH = 1;
const FUA = 2;

async function recorded(t: import('ava').ExecutionContext, entries: Parameters<typeof logOf>[0]) {
  const dir = await testFolder(t, 'crash-states');
  const logPath = join(dir, 'disk.log');
  writeFileSync(logPath, logOf(entries));
  const base = join(dir, 'base.raw');
  writeFileSync(base, Buffer.alloc(64 * 512));
  return { dir, logPath, base, log: await readWriteLog(logPath) };
}

// W F W W W(FUA) F W: flush points 1 and 5.
const epochs = [
  { sector: 1, sectors: 1, data: 0x10 },
  { flags: FLUSH },
  { sector: 2, sectors: 1, data: 0x20 },
  { sector: 3, sectors: 1, data: 0x30 },
  { sector: 4, sectors: 1, flags: FUA, data: 0x40 },
  { flags: FLUSH },
  { sector: 5, sectors: 1, data: 0x50 },
];

test('single-drop states: each unflushed write of every epoch lost alone, the later ones kept, never a FUA write', async (t) => {
  const { log } = await recorded(t, epochs);
  const states = crashStates(log);
  t.deepEqual(
    states.map(({ kind, upTo, skip, base }) => ({ kind, upTo, skip, base })),
    [
      { kind: 'prefix', upTo: -1, skip: [], base: -1 },
      { kind: 'prefix', upTo: 1, skip: [], base: 1 },
      { kind: 'prefix', upTo: 5, skip: [], base: 5 },
      { kind: 'single-drop', upTo: 0, skip: [0], base: -1 },
      { kind: 'single-drop', upTo: 4, skip: [2], base: 1 },
      { kind: 'single-drop', upTo: 4, skip: [3], base: 1 },
      { kind: 'single-drop', upTo: 6, skip: [6], base: 5 },
    ],
  );
  t.deepEqual(countKinds(states), { prefix: 3, 'single-drop': 4, subset: 0, torn: 0 });
});

test('subset states are seeded: the same seed gives the same states, another seed others; a FUA write is always kept', async (t) => {
  const many = [{ flags: FLUSH }, ...Array.from({ length: 12 }, (_, i) => ({ sector: i + 1, sectors: 1, flags: i === 5 ? FUA : 0, data: i })), { flags: FLUSH }];
  const { log } = await recorded(t, many);
  const subsets = (seed: number) => crashStates(log, { subsets: 6, seed }).filter((s) => s.kind === 'subset');
  t.is(subsets(7).length, 6);
  t.deepEqual(subsets(7), subsets(7));
  t.notDeepEqual(subsets(7).map((s) => s.skip), subsets(8).map((s) => s.skip));
  for (const state of subsets(7)) {
    t.false(state.skip.includes(6), 'the FUA write (entry 6) is never lost');
    t.true(state.skip.every((i) => i >= 1 && i <= 12));
    t.is(state.upTo, 12);
    t.is(state.base, 0);
  }
});

test('torn states apply a multi-sector write in the given range sector by sector, with the earlier writes of its epoch', async (t) => {
  const { dir, log, logPath, base } = await recorded(t, [
    { flags: FLUSH },
    { sector: 1, sectors: 1, data: 0x10 },
    { sector: 8, sectors: 4, data: 0x80 },
    { sector: 20, sectors: 4, data: 0x90 },
    { flags: FLUSH },
  ]);
  const torn = crashStates(log, { tornRanges: [{ sector: 10, sectors: 1 }] }).filter((s) => s.kind === 'torn');
  t.deepEqual(torn.map((s) => s.id), ['torn-2.1', 'torn-2.2', 'torn-2.3']);
  const out = join(dir, 'torn.raw');
  await replay(log, logPath, base, out, { from: torn[1]!.base + 1, upTo: torn[1]!.upTo, skip: torn[1]!.skip, torn: torn[1]!.torn });
  const disk = readFileSync(out);
  const sector = (n: number) => disk[n * 512];
  t.deepEqual([sector(1), sector(8), sector(9), sector(10), sector(11), sector(20)], [0x10, 0x80, 0x81, 0, 0, 0]);
});

test('the bound keeps every prefix state first, then shares the rest between the kinds', async (t) => {
  const many = [{ flags: FLUSH }, ...Array.from({ length: 30 }, (_, i) => ({ sector: i + 1, sectors: 1, data: i })), { flags: FLUSH }];
  const { log } = await recorded(t, many);
  const all = crashStates(log, { subsets: 20 });
  t.deepEqual(countKinds(all), { prefix: 3, 'single-drop': 30, subset: 20, torn: 0 });
  const bounded = boundStates(all, 13);
  t.is(bounded.length, 13);
  t.deepEqual(countKinds(bounded), { prefix: 3, 'single-drop': 5, subset: 5, torn: 0 });
  t.is(boundStates(all, 100).length, all.length);
});
