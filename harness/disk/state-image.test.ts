import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkHashes } from './chunk-hashes.ts';
import { crashStates } from './crash-states.ts';
import { StateImage } from './state-image.ts';
import { readWriteLog, replay } from './write-log.ts';
import { testFolder } from '../testdata/test-folder.ts';
import { logOf } from '../testdata/write-log-of.ts';

const FLUSH = 1;
const MiB_SECTORS = 2048;

// Three epochs over a 3 MiB disk, writes in each of its MiBs, overlapping ones, and a multi-sector write to tear.
const entries = [
  { sector: 1, sectors: 2, data: 0x10 },
  { sector: MiB_SECTORS + 5, sectors: 1, data: 0x20 },
  { flags: FLUSH },
  { sector: 2, sectors: 3, data: 0x30 },
  { sector: 2 * MiB_SECTORS + 7, sectors: 4, data: 0x40 },
  { sector: 3, sectors: 1, data: 0x50 },
  { flags: FLUSH },
  { sector: MiB_SECTORS + 4, sectors: 3, data: 0x60 },
  { sector: 2 * MiB_SECTORS - 1, sectors: 2, data: 0x70 },
];

test('the working image becomes each crash state exactly as a replay from the base image builds it, and hashes as a fresh one', async (t) => {
  const dir = await testFolder(t, 'state-image');
  const logPath = join(dir, 'disk.log');
  writeFileSync(logPath, logOf(entries));
  const base = join(dir, 'base.raw');
  writeFileSync(base, Buffer.alloc(3 * MiB_SECTORS * 512, 0xee));
  const log = await readWriteLog(logPath);
  const states = crashStates(log, { subsets: 4, seed: 3, tornRanges: [{ sector: 2 * MiB_SECTORS, sectors: 16 }] });
  t.true(new Set(states.map((s) => s.kind)).size === 4, 'every kind of state is tried');

  const working = await StateImage.create(log, logPath, base, join(dir, 'working.raw'));
  const ranges = [{ start: 512, bytes: 3 * MiB_SECTORS * 512 - 1024 }];
  const keys = new Map<string, string>();
  // Each state once in the generated order and once in reverse within its flush point: every way one state follows
  // another of the same base is a difference of writes applied, lost or torn.
  const bases = [...new Set(states.map((s) => s.base))].sort((a, b) => a - b);
  const order = bases.flatMap((base) => {
    const group = states.filter((s) => s.base === base);
    return [...group, ...[...group].reverse()];
  });
  for (const state of order) {
    await working.become(state);
    const expected = join(dir, `${state.id}.raw`);
    await replay(log, logPath, base, expected, { upTo: state.upTo, skip: state.skip, torn: state.torn });
    t.true(readFileSync(working.path).equals(readFileSync(expected)), `${state.id}: ${state.description}`);
    const key = await working.hashes.digest(ranges);
    t.is(key, await new ChunkHashes(expected).digest(ranges), `${state.id}: the kept hashes are the image's`);
    keys.set(state.id, key);
  }
  const contents = new Set(states.map((s) => readFileSync(join(dir, `${s.id}.raw`)).toString('base64')));
  t.is(new Set(keys.values()).size, contents.size, 'as many keys as distinct contents');

  await t.throwsAsync(working.become(states.find((s) => s.base === -1 || s.base === 2)!), { message: /already past entry 6/ });
});
