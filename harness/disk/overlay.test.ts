import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createOverlay, rebaseOverlay } from './overlay.ts';

test('an overlay rebased onto the base image keeps what the overlay between them held, and needs it no more', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bootproof-overlay-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [base, middle, top] = ['base.img', 'middle.qcow2', 'top.qcow2'].map((name) => join(dir, name)) as [string, string, string];
  await writeFile(base, Buffer.alloc(1 << 20, 0x11));
  await createOverlay(base, middle);
  await execa('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x22 0 64k', middle]);
  await createOverlay(middle, top);
  await rebaseOverlay(top, base);
  await rm(middle);
  const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', top])).stdout) as { 'backing-filename'?: string };
  t.is(info['backing-filename'], base);
  const read = (pattern: string, offset: string) => execa('qemu-io', ['-r', '-f', 'qcow2', '-c', `read -P ${pattern} ${offset} 64k`, top], { reject: false });
  t.notRegex((await read('0x22', '0')).stdout, /Pattern verification failed/, 'the middle overlay\'s write is in the rebased one');
  t.notRegex((await read('0x11', '64k')).stdout, /Pattern verification failed/, 'the rest reads from the base image');
});
