import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imagesFor, userImagesFromEnv } from './image-source.ts';
import { loadProfile } from '../config/profile.ts';
import { sha256File } from '../disk/sha256.ts';
import { makeSmallDisk } from '../image/testdata/small-disk.ts';
import { UsageError } from '../errors.ts';

test("a user's image and .fs files stand in for the fixture: v1 is the image's default root, v2 and v3 the .fs files", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bp-source-'));
  const disk = await makeSmallDisk(dir);
  const user = userImagesFromEnv({ BOOTPROOF_IMAGE: disk.image, BOOTPROOF_FS: JSON.stringify([disk.rootFs]) });
  t.deepEqual(user, { image: disk.image, fs: [disk.rootFs] });
  const images = await imagesFor('amd64', 'normal', loadProfile('fixture'), user);
  t.is(images.disk, disk.image);
  t.deepEqual(images.rootFs, { 1: disk.rootFs, 2: disk.rootFs, 3: disk.rootFs });
  const rootSha = await sha256File(disk.rootFs);
  t.like(images.manifest.files, { 'root-v1.fs': { sha256: rootSha }, 'root-v2.fs': { sha256: rootSha }, 'disk.img': { sha256: await sha256File(disk.image) } });
});

test('without BOOTPROOF_IMAGE the fixture is used; a malformed BOOTPROOF_FS is named', (t) => {
  t.is(userImagesFromEnv({}), undefined);
  t.throws(() => userImagesFromEnv({ BOOTPROOF_IMAGE: '/x.img', BOOTPROOF_FS: '/a.fs' }), {
    instanceOf: UsageError,
    message: 'BOOTPROOF_FS: expected a JSON array of .fs paths, got /a.fs',
  });
});
