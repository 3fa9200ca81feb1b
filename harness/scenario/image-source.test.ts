import test from 'ava';
import { bootImagesFor, imagesFor, parseVersionedFs, userImagesFromEnv } from './image-source.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { withOverrides } from '../config/overrides.ts';
import { loadProfile } from '../config/profile.ts';
import { sha256File } from '../disk/sha256.ts';
import { makeSmallDisk } from '../image/testdata/small-disk.ts';
import { UsageError } from '../errors.ts';
import { testFolder } from '../testdata/test-folder.ts';

test("a user's image and .fs files stand in for the fixture: v1 is the image's default root, v2 and v3 the .fs files", async (t) => {
  const dir = await testFolder(t, 'source');
  const disk = await makeSmallDisk(dir);
  const user = userImagesFromEnv({ BOOTPROOF_IMAGE: disk.image, BOOTPROOF_FS: JSON.stringify([{ path: disk.rootFs, version: '7.6' }]) });
  t.deepEqual(user, { image: disk.image, fs: [{ path: disk.rootFs, version: '7.6' }] });
  const images = await imagesFor('amd64', 'normal', loadProfile('fixture'), user);
  t.is(images.disk, disk.image);
  t.deepEqual(images.rootFs, { 1: disk.rootFs, 2: disk.rootFs, 3: disk.rootFs });
  t.deepEqual(images.versions, { 1: undefined, 2: '7.6', 3: '7.6' }, "a single .fs is the second upgrade too; the image's own version is read at its first boot");
  const rootSha = await sha256File(disk.rootFs);
  t.like(images.manifest.files, { 'root-v1.fs': { sha256: rootSha }, 'root-v2.fs': { sha256: rootSha }, 'disk.img': { sha256: await sha256File(disk.image) } });
});

test('without BOOTPROOF_IMAGE the fixture is used; a malformed BOOTPROOF_FS is named', (t) => {
  t.is(userImagesFromEnv({}), undefined);
  t.throws(() => userImagesFromEnv({ BOOTPROOF_IMAGE: '/x.img', BOOTPROOF_FS: '/a.fs' }), {
    instanceOf: UsageError,
    message: 'BOOTPROOF_FS: expected a JSON array of {"path", "version"} objects, got /a.fs',
  });
  t.like(userImagesFromEnv({ BOOTPROOF_IMAGE: '/x.img', BOOTPROOF_IMAGE_VERSION: '7.5', BOOTPROOF_FS: '[]' }), { imageVersion: '7.5' });
});

test('--fs FILE=VERSION names the version the .fs holds; without one the error shows how to give it', (t) => {
  t.deepEqual(parseVersionedFs('root-7.6.fs=7.6'), { path: 'root-7.6.fs', version: '7.6' });
  t.deepEqual(parseVersionedFs('/a=b/root.fs=7.7'), { path: '/a=b/root.fs', version: '7.7' });
  t.throws(() => parseVersionedFs('root.fs'), {
    instanceOf: UsageError,
    message: '--fs root.fs: name the version the .fs holds, as its root reports it (e.g. --fs root.fs=7.6)',
  });
  t.throws(() => parseVersionedFs('root.fs='), { message: /e\.g\. --fs root\.fs=7\.6/ });
});

test("a machine's own image without .fs files is booted alone: no A/B images, the fixture is not used", async (t) => {
  const dir = await testFolder(t, 'source');
  const disk = await makeSmallDisk(dir);
  const config = withOverrides(loadVmConfig('amd64-bios'), { media: { image: disk.image } });
  const images = await bootImagesFor(config, 'normal', loadProfile('generic'), undefined);
  t.deepEqual(images, { disk: disk.image, sha256: await sha256File(disk.image) });
  const run = await bootImagesFor(loadVmConfig('amd64-bios'), 'normal', loadProfile('generic'), { image: disk.image, fs: [] });
  t.is(run.fixture, undefined, 'an --image without --fs has no A/B images either');
});
