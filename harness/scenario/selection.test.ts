import test from 'ava';
import { qualifies, whyNotOn, type ScenarioMeta } from './selection.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { withOverrides } from '../config/overrides.ts';
import { loadProfile } from '../config/profile.ts';

const meta: ScenarioMeta = { name: 'x', description: 'x', depth: 'full', ci: [], timeoutMinutes: 1 };

test('a machine qualifies only if it offers what the scenario needs', (t) => {
  const bios = loadVmConfig('amd64-bios');
  const uboot = loadVmConfig('mips64-uboot');
  t.true(qualifies(meta, uboot));
  t.true(qualifies({ ...meta, needs: ['loader-prompt', 'write-log'], extraDisks: 4 }, bios));
  t.false(qualifies({ ...meta, needs: ['loader-prompt'] }, uboot), 'U-Boot loads the kernel itself: no boot> prompt');
  t.false(qualifies({ ...meta, needs: ['write-log'] }, uboot), 'blklogwrites needs the virtio boot disk');
  t.false(qualifies({ ...meta, extraDisks: 4 }, uboot), 'its IDE bus holds two disks besides the boot disk');
  t.true(qualifies({ ...meta, extraDisks: 2 }, uboot));
});

test('the reason a scenario does not run on a machine names both', (t) => {
  t.is(whyNotOn({ ...meta, extraDisks: 4 }, loadVmConfig('mips64-uboot')), 'attaches 4 extra disks; mips64-uboot takes 2');
  t.is(whyNotOn(meta, loadVmConfig('mips64-uboot')), undefined);
});

test('a scenario that needs a shell is skipped on a loader-depth machine; one that needs firmware NVRAM where the firmware keeps nothing', (t) => {
  const mac = loadVmConfig('macppc-ofw');
  t.is(whyNotOn(meta, mac), 'needs a shell; macppc-ofw boots only to the loader');
  t.is(whyNotOn({ ...meta, depth: 'loader' }, mac), undefined);
  const nvram = { ...meta, depth: 'loader' as const, needs: ['firmware-nvram' as const] };
  t.is(whyNotOn(nvram, loadVmConfig('ppc64-ofw')), undefined);
  t.is(whyNotOn(nvram, mac), "needs a firmware that keeps its boot setting in NVRAM; macppc-ofw's keeps its boot commands: none");
  t.is(whyNotOn(nvram, loadVmConfig('amd64-bios')), "needs a firmware that keeps its boot setting in NVRAM; amd64-bios's is not told how to boot");
});

test("a scenario that needs A/B roots is skipped, with the reason, on a machine booting a user's image alone", (t) => {
  const mine = withOverrides(loadVmConfig('amd64-bios'), { media: { image: '/images/mine.qcow2' } });
  t.true(qualifies({ ...meta, needs: ['ab-roots'] }, loadVmConfig('amd64-bios')), 'the fixture has them');
  t.regex(whyNotOn({ ...meta, needs: ['ab-roots'] }, mine) ?? '', /needs A\/B root images to upgrade to; amd64-bios boots \/images\/mine\.qcow2 without them \(to check A\/B, run bootproof validate/);
  t.true(qualifies(meta, mine), 'a scenario that only powers on and waits runs');
});

test('a scenario that needs provoked failures is skipped, with the reason, under a profile whose fail-fast patterns name no damage', (t) => {
  const needs: ScenarioMeta = { ...meta, needs: ['provoked-failures'] };
  const bios = loadVmConfig('amd64-bios');
  t.is(whyNotOn(needs, bios, loadProfile('fixture')), undefined, 'the fixture profile names a damage for each of its patterns');
  t.is(
    whyNotOn(needs, bios, loadProfile('generic')),
    'needs fail-fast patterns with a "provokedBy" damage; profile generic has none (give a failFast entry the damage that provokes it: root-unreadable, cfg-unmountable, cfg-inconsistent, init-unreadable, init-not-executable)',
  );
});
