import test from 'ava';
import { BootPath } from './boot-path.ts';
import { loadProfile } from '../config/profile.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { fakeMachine } from './testdata/fake-machine.ts';
import { FakeFixture, type FakeFixtureOptions } from './testdata/fake-fixture.ts';
import { agreedDevice, disagreement, rootDeviceOf } from './witnesses.ts';

const fixturePartitions = { hd0d: '5', hd0e: '6' };
const openbsdPartitions = { hd0d: 'd', hd0e: 'e' };

function bootPath(options: FakeFixtureOptions): { boot: BootPath; fixture: FakeFixture } {
  const fixture = new FakeFixture(options);
  return { boot: new BootPath(fakeMachine(loadVmConfig('amd64-bios'), fixture), loadProfile('fixture')), fixture };
}

test('a mounted root is named by the profile\'s partitions, by number or by disklabel letter', (t) => {
  t.is(rootDeviceOf('/dev/vda5', fixturePartitions), 'hd0d');
  t.is(rootDeviceOf('/dev/sda6', fixturePartitions), 'hd0e');
  t.is(rootDeviceOf('/dev/vda15', fixturePartitions), undefined, 'partition 15 is not partition 5');
  t.is(rootDeviceOf('/dev/vda7', fixturePartitions), undefined, '/cfg is no root');
  t.is(rootDeviceOf('/dev/sd0d', openbsdPartitions), 'hd0d');
  t.is(rootDeviceOf('/dev/wd1e', openbsdPartitions), 'hd0e');
  t.is(rootDeviceOf('/dev/sd0a', openbsdPartitions), undefined);
});

test('witnesses that disagree are named, both of them; agreeing ones give the device', (t) => {
  const kernelRoot = { source: '/dev/vda6', device: 'hd0e' };
  t.is(disagreement({ loader: 'hd0e', kernelRoot, image: 'hd0d' }, fixturePartitions), 'the kernel mounted /dev/vda6 (hd0e) but the image reports hd0d');
  t.is(disagreement({ loader: 'hd0d', kernelRoot, image: 'hd0e' }, fixturePartitions), 'the loader booted hd0d but the kernel mounted /dev/vda6 (hd0e)');
  t.is(disagreement({ loader: 'hd0d', image: 'hd0e' }, fixturePartitions), 'the loader booted hd0d but the image reports hd0e');
  t.regex(
    disagreement({ kernelRoot: { source: '/dev/vda7' }, image: 'hd0e' }, fixturePartitions) ?? '',
    /the kernel mounted \/dev\/vda7 as the root, which is none of the profile's root partitions \(hd0d: 5, hd0e: 6\)/,
  );
  t.is(disagreement({ loader: 'hd0e', kernelRoot, image: 'hd0e' }, fixturePartitions), undefined);
  t.is(agreedDevice({ loader: 'hd0e', kernelRoot, image: 'hd0e' }), 'hd0e');
  t.is(agreedDevice({ loader: 'hd0d' }), 'hd0d', 'a single witness is taken at its word');
});

test('a boot records each witness: the loader\'s booting line, the kernel\'s mount table and the image\'s own words', async (t) => {
  const { boot } = bootPath({ bootConf: 'hd0e' });
  await boot.reach('shell');
  t.deepEqual(boot.lastBoot.witnesses, { loader: 'hd0e', kernelRoot: { source: '/dev/vda6', device: 'hd0e' }, image: 'hd0e' });
  t.is(boot.lastBoot.device, 'hd0e');

  await boot.bootDevice('hd0d');
  t.deepEqual(boot.lastBoot.witnesses, { loader: 'hd0d', kernelRoot: { source: '/dev/vda5', device: 'hd0d' }, image: 'hd0d' });
  t.like(boot.lastBoot, { device: 'hd0d', requestedDevice: 'hd0d', version: '1' });
});

test('an image that reports boot.conf\'s device instead of the mounted one fails the boot, naming the kernel\'s root and the image\'s claim', async (t) => {
  const { boot } = bootPath({ bootConf: 'hd0e', rcReportsBootConf: true });
  await boot.reach('shell');
  t.is(boot.lastBoot.device, 'hd0e', 'while boot.conf names the booted root, the lie cannot show');
  await t.throwsAsync(() => boot.bootDevice('hd0d'), {
    message: 'the witnesses of this boot disagree: the kernel mounted /dev/vda5 (hd0d) but the image reports hd0e',
  });
  t.is(boot.lastBoot.device, undefined, 'no device is agreed on');
});

test('a loader that boots another device than the one typed at its prompt fails at its booting line, before any kernel runs', async (t) => {
  const { boot, fixture } = bootPath({ bootConf: 'hd0e', ignoresSetDevice: true });
  await boot.reach('shell');
  await t.throwsAsync(() => boot.bootDevice('hd0d'), {
    message: 'the loader was asked to boot hd0d but is booting hd0e',
  });
  t.false(fixture.kernelStarted, 'the failure came with the booting line, not after the kernel\'s boot');
  t.is(boot.lastBoot.witnesses?.loader, 'hd0e');
});

test('a loader expected to refuse the device typed at its prompt, that boots another one instead, fails at its booting line', async (t) => {
  const { boot, fixture } = bootPath({ bootConf: 'hd0e', ignoresSetDevice: true });
  await boot.reach('loader');
  await boot.typeAtLoader('set device hd0d');
  await t.throwsAsync(() => boot.bootExpectingLoaderFailure(), { message: 'the loader was asked to boot hd0d but is booting hd0e' });
  t.false(fixture.kernelStarted, 'the failure came with the booting line, not after a wait for a refusal');
});
