import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from './machine.ts';
import { loadVmConfig } from './config/vm-config.ts';
import { loadProfile } from './config/profile.ts';
import { makeSmallDisk } from './image/testdata/small-disk.ts';
import { UsageError } from './errors.ts';

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

test('a machine with a NIC serves the files next to its image, or those of the folder it is given', async (t) => {
  const base = { ...(await options()), config: loadVmConfig('amd64-ipxe') };
  await t.throwsAsync(Machine.create(base), { instanceOf: UsageError, message: /boots vmlinuz from its boot server, but .*vmlinuz does not exist/ });
  const served = await mkdtemp(join(tmpdir(), 'bp-served-'));
  for (const name of ['vmlinuz', 'initrd.img']) await writeFile(join(served, name), name);
  const machine = await Machine.create({ ...base, servedFrom: served });
  t.teardown(() => machine.release());
  t.is(await readFile(join(machine.bootServer.folder, 'vmlinuz'), 'utf8'), 'vmlinuz');
});
