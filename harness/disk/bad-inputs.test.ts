import test from 'ava';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBadInputs } from './bad-inputs.ts';
import { testFolder } from '../testdata/test-folder.ts';

test('each damaged input differs from the good .fs in exactly the promised way', async (t) => {
  const dir = await testFolder(t, 'bad');
  const good = join(dir, 'good.fs');
  const content = Buffer.alloc(4 * 1048576);
  for (let i = 0; i < content.length; i++) content[i] = i % 251;
  writeFileSync(good, content);
  const bad = await makeBadInputs(good, dir);

  t.is(statSync(bad.truncated).size, 2 * 1048576);
  t.deepEqual(readFileSync(bad.truncated), content.subarray(0, 2 * 1048576));

  const flipped = readFileSync(bad.flipped);
  const differing = [...flipped.keys()].filter((i) => flipped[i] !== content[i]);
  t.deepEqual(differing, [...Array(16).keys()].map((i) => 2 * 1048576 + i));

  t.is(statSync(bad.larger).size, 5 * 1048576);
  t.deepEqual(readFileSync(bad.larger).subarray(0, content.length), content);

  t.is(statSync(bad.notFilesystem).size, content.length);
  t.true(readFileSync(bad.notFilesystem).toString('latin1', 0, 25).startsWith('this is not a filesystem'));
});
