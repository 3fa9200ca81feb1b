// crash-states: record every write of an upgrade, rebuild the disk as of each flush, and boot every such state.
import { join } from 'node:path';
import { createTempFolder, scenario, findPartition, sha256File, crashStates, findMarks, phaseAt, readWriteLog, replay } from 'bootproof';
import type { TestMachine, CrashStateRow } from 'bootproof';

const MARK_BYTES = 4096;


/** Evenly spread picks, always keeping the first and the last. */
function sample<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  if (max <= 1) return items.slice(-1);
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]!);
}

async function checkState(vm: TestMachine, image: string, label: string): Promise<Pick<CrashStateRow, 'outcome' | 'reason'>> {
  const { machine, boot } = await vm.otherMachine(image, label);
  try {
    await boot.reach('shell');
    const { device, version } = boot.lastBoot;
    const n = device === 'hd0d' && version === vm.version(1) ? 1 : device === 'hd0e' && version === vm.version(2) ? 2 : undefined;
    if (!n) return { outcome: 'failed', reason: `booted ${device} version ${version}, neither hd0d v${vm.version(1)} nor hd0e v${vm.version(2)}` };
    // Read on the host from the state image: a mounted filesystem's block device can differ in the guest's cache.
    const expected = vm.fixture.manifest.files[`root-v${n}.fs`]?.sha256;
    const where = vm.profile.partitions[device!];
    const partition = where === undefined ? undefined : await findPartition(image, where);
    const actual = partition && (await sha256File(image, { start: partition.startByte, bytes: partition.bytes }));
    if (actual !== expected) return { outcome: 'failed', reason: `${device} is not a whole version ${version} (sha256 ${actual})` };
    const cfg = await boot.shell.execute(vm.profile.commands.checkCfg);
    if (cfg.status !== 0) return { outcome: 'failed', reason: `/cfg is not clean: ${cfg.output.trim().split('\n').pop()}` };
    return { outcome: n === 1 ? 'booted v1' : 'booted v2' };
  } catch (error) {
    return { outcome: 'failed', reason: (error as Error).message.split('\n')[0] };
  } finally {
    await machine.release();
  }
}

scenario(
  {
    name: 'crash-states',
    description: 'Every crash state of a recorded upgrade (the disk as of each flush) boots a whole version with /cfg clean',
    depth: 'full',
    needs: ['ab-roots', 'write-log'],
    ci: ['amd64-bios', 'amd64-ipxe-uefi'],
    timeoutMinutes: 120,
    detects: [{ variant: 'unsafe-upgrade', failure: /crash states? failed/, machines: ['amd64-bios'] }],
  },
  async (t, vm) => {
    const work = await createTempFolder('crash');
    t.teardown(() => work.cleanup());
    const logPath = join(work.path, 'upgrade.log');

    await vm.boot.powerOn({ disks: [vm.fixture.rootFs[2]], writeLog: logPath });
    await vm.step('boot version 1 with every disk write recorded', () => vm.boot.reach('shell'));
    await vm.step('upgrade to version 2', () => vm.shell.succeed(vm.upgradeCommand(vm.extraDiskDevice(0)), { timeoutMs: 300_000 }));
    await vm.boot.powerCut();

    const log = await readWriteLog(logPath);
    const diskBytes = vm.fixture.manifest.files['disk.img']!.bytes;
    const marks = await findMarks(log, logPath, (diskBytes - MARK_BYTES) / log.sectorSize);
    const start = marks.find((m) => m.phase === 'upgrade-start');
    const done = marks.findLast((m) => m.phase === 'upgrade-done');
    t.truthy(start && done, `the upgrade marked its start and end on the disk (marks: ${marks.map((m) => m.phase).join(', ')})`);
    const all = crashStates(log, { window: [start!.index, done!.index], dropUnflushed: process.env.BOOTPROOF_DROP_UNFLUSHED === '1' });
    const max = Number(process.env.BOOTPROOF_MAX_STATES ?? (process.env.BOOTPROOF_SLICE === 'ci' ? 4 : 40));
    const states = sample(all, max);
    t.log(`${log.entries.length} log entries, ${all.length} crash states in the upgrade window, checking ${states.length}`);

    const rows: CrashStateRow[] = [];
    vm.data.crashStates = rows;
    for (const [i, state] of states.entries()) {
      const phase = phaseAt(marks, state.upTo);
      const image = join(work.path, 'state.img');
      const result = await vm.step(`state ${i + 1}/${states.length}: ${state.description} (${phase})`, async () => {
        await replay(log, logPath, vm.fixture.disk, image, { upTo: state.upTo, skip: state.skip });
        return checkState(vm, image, `state-${i + 1}`);
      });
      rows.push({ state: state.id, phase, entry: state.upTo, skipped: state.skip, ...result });
      t.log(`${state.id} (${phase}): ${result.outcome}${result.reason ? `: ${result.reason}` : ''}`);
    }
    const failed = rows.filter((r) => r.outcome === 'failed');
    t.is(failed.length, 0, `${failed.length} crash state${failed.length === 1 ? '' : 's'} failed:\n${failed.map((r) => `${r.state} (${r.phase}): ${r.reason}`).join('\n')}`);
  },
);
