import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from './machine.ts';
import { loadVmConfig } from './config/vm-config.ts';
import { loadProfile } from './config/profile.ts';
import { makeSmallDisk } from './image/testdata/small-disk.ts';
import { UsageError } from './errors.ts';
import { createOverlay } from './disk/overlay.ts';

const options = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bp-machine-'));
  const { image } = await makeSmallDisk(dir);
  return { config: loadVmConfig('amd64-bios'), profile: loadProfile('fixture'), image, accel: 'tcg' as const, artifactDir: join(dir, 'out') };
};

test('a machine boots an overlay unless asked to write the image itself', async (t) => {
  const base = await options();
  const overlaid = await Machine.create(base);
  t.teardown(() => overlaid.release());
  t.not(overlaid.overlayPath, base.image);
  t.regex(overlaid.overlayPath, /disk\.qcow2$/);
  const writing = await Machine.create({ ...base, writeImage: true });
  t.teardown(() => writing.release());
  t.is(writing.overlayPath, base.image);
  await t.throwsAsync(writing.resetDisk(), { message: /booting the image itself/ });
});

test('a checkpoint cannot be restored onto the image itself, and a folder without one is named', async (t) => {
  const base = await options();
  await t.throwsAsync(Machine.create({ ...base, writeImage: true, checkpoint: '/nowhere' }), {
    instanceOf: UsageError,
    message: 'a checkpoint cannot be restored onto the image itself (--write)',
  });
  await t.throwsAsync(Machine.create({ ...base, checkpoint: '/nowhere' }), { message: /\/nowhere holds no checkpoint/ });
});

test('a checkpoint restores the firmware flash image of a machine that runs from one', async (t) => {
  const base = await options();
  const checkpoint = join(base.artifactDir, 'checkpoint');
  await mkdir(checkpoint, { recursive: true });
  await writeFile(join(checkpoint, 'checkpoint.json'), '{}');
  await createOverlay(base.image, join(checkpoint, 'disk.qcow2'));
  await t.throwsAsync(Machine.create({ ...base, config: loadVmConfig('mips64-uboot'), checkpoint }), {
    instanceOf: UsageError,
    message: /has no flash\.img/,
  });
});
