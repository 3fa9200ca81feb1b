import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkHashes } from './chunk-hashes.ts';
import { testFolder } from '../testdata/test-folder.ts';

test('the hash of ranges sees every byte in them and none outside them', async (t) => {
  const dir = await testFolder(t, 'chunk-hashes');
  const image = (name: string, patch?: { at: number; byte: number }) => {
    const data = Buffer.alloc(3 * 1024 * 1024, 0x11);
    if (patch) data[patch.at] = patch.byte;
    writeFileSync(join(dir, name), data);
    return new ChunkHashes(join(dir, name));
  };
  const ranges = [{ start: 1000, bytes: 1024 * 1024 }, { start: 2 * 1024 * 1024 + 10, bytes: 5000 }];
  const plain = await image('plain').digest(ranges);
  t.is(await image('same').digest(ranges), plain);
  t.not(await image('inside', { at: 1024 * 1024 + 999, byte: 0 }).digest(ranges), plain);
  t.not(await image('second-range', { at: 2 * 1024 * 1024 + 5009, byte: 0 }).digest(ranges), plain);
  t.is(await image('outside', { at: 1024 * 1024 + 1000, byte: 0 }).digest(ranges), plain);
  t.not(await image('plain').digest([{ start: 1000, bytes: 1024 * 1024 }]), plain, 'other ranges, another hash');
});
