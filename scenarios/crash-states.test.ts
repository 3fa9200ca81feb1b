// crash-states: record every write of an upgrade, rebuild the disk as a power loss could leave it at each point
// (each flush, writes of an epoch lost, boot.conf torn), and boot each distinct state once.
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import {
  bootConfSectors, bootContent, bootLayout, boundStates, ChunkHashes, countKinds, crashStates, createTempFolder, flushPoints,
  phaseAt, readWriteLog, replay, scenario, sha256File, StateImage,
} from 'bootproof';
import type { BootLayout, CrashState, CrashStateRow, Extent, Mark, TestMachine } from 'bootproof';

interface Booted {
  device?: string;
  version?: string;
  error?: string;
}

/** A state that booted and was judged whole: the parts of its disk its run read or wrote, and their hash there. */
interface Witness {
  n: number;
  named?: string;
  result: Booted;
  touched: Extent[];
  digest: string;
}

/** Whether the root `device` that booted `version` is that version whole, read on the host from the state image. */
async function wholeRoot(vm: TestMachine, image: string, layout: BootLayout, { device, version }: Booted): Promise<string | undefined> {
  const v1 = vm.version(1);
  const v2 = vm.version(2);
  const whole = (device === 'hd0d' && version === v1) || (device === 'hd0e' && version === v2);
  if (!whole) return `booted ${device} version ${version}, neither hd0d v${v1} nor hd0e v${v2}`;
  // Read on the host from the state image: a mounted filesystem's block device can differ in the guest's cache.
  const expected = vm.fixture.manifest.files[`root-v${version === v1 ? 1 : 2}.fs`]?.sha256;
  const partition = layout.roots.get(device!);
  const actual = partition && (await sha256File(image, { start: partition.startByte, bytes: partition.bytes }));
  if (actual !== expected) return `${device} is not a whole version ${version} (sha256 ${actual})`;
  return undefined;
}

/** Boots the state image, judges what booted, and on success tells what of the disk the run read or wrote. */
async function bootState(vm: TestMachine, image: string, label: string, layout: BootLayout): Promise<{ result: Booted; touched?: Extent[] }> {
  const { machine, boot } = await vm.otherMachine(image, label, { trackReads: true });
  try {
    await boot.reach('shell');
    const { device, version } = boot.lastBoot;
    const wrong = await wholeRoot(vm, image, layout, { device, version });
    if (wrong) return { result: { device, version, error: wrong } };
    const cfg = await boot.shell.execute(vm.profile.commands.checkCfg);
    if (cfg.status !== 0) return { result: { device, version, error: `/cfg is not clean: ${cfg.output.trim().split('\n').pop()}` } };
    // The read set only spares later boots: a QEMU slow to quit leaves this state judged, with no witness.
    const touched = await machine.quit().then(() => machine.diskTouched(), () => undefined);
    return { result: { device, version }, ...(touched ? { touched } : {}) };
  } catch (error) {
    return { result: { error: (error as Error).message.split('\n')[0] } };
  } finally {
    await machine.release();
  }
}

const WINDOW_START = 'window-start';

/** Builds the disk as of entry `upTo` of the log being recorded (the window's start) and boots it. */
async function bootWindowStart(vm: TestMachine, logPath: string, upTo: number, image: string, layout: BootLayout) {
  await replay(await readWriteLog(logPath), logPath, vm.fixture.disk, image, { upTo });
  const run = await vm.step('the disk as the upgrade starts, booted while it runs', () => bootState(vm, image, WINDOW_START, layout));
  return { image, run };
}

/** The entry count of the log now: entries from here on were logged after what the console just showed. */
async function position(logPath: string): Promise<number> {
  return (await readWriteLog(logPath)).entries.length;
}

scenario(
  {
    name: 'crash-states',
    description:
      'Every crash state of a recorded upgrade (each flush, lost and torn unflushed writes) boots a whole version with /cfg clean, the new one once the upgrade reported success',
    depth: 'full',
    needs: ['ab-roots', 'write-log'],
    ci: ['amd64-bios', 'amd64-ipxe-uefi'],
    timeoutMinutes: 120,
    detects: [
      { variant: 'unsafe-upgrade', failure: /crash states? failed/, machines: ['amd64-bios'] },
      // After the success line the unsynced flip is lost (ext4: hd0d boots) or torn (FFS: boot.conf left empty).
      {
        variant: 'flip-not-durable',
        failure: /after the upgrade printed "Upgrade complete!".* booted hd0d|\((success-printed|synced)\): boot\.conf is torn/,
        machines: ['amd64-bios'],
      },
      { variant: 'torn-bootconf', failure: /torn-\d+\.\d+ .*boot\.conf is torn/, machines: ['amd64-bios'] },
    ],
  },
  async (t, vm) => {
    const work = await createTempFolder('crash');
    t.teardown(() => work.cleanup());
    const logPath = join(work.path, 'upgrade.log');
    const { upgradeSteps, upgradeDone } = vm.profile.commands;
    const doneText = upgradeDone.source.replace(/\\(.)/g, '$1');
    const layout = await bootLayout(vm.fixture.disk, vm.profile.partitions, vm.profile.commands.bootConf);
    const jobs = Math.max(1, Number(process.env.BOOTPROOF_STATE_JOBS ?? 1));

    await vm.boot.powerOn({ disks: [vm.fixture.rootFs[2]], writeLog: logPath });
    await vm.step('boot version 1 with every disk write recorded', () => vm.boot.reach('shell'));
    // Phases are marked on the host: the log's length when the console shows each step. Nothing is written to the
    // disk for them, so they cannot make a write durable that the upgrade left unflushed.
    const marks: Mark[] = [{ phase: 'upgrade-start', index: await position(logPath) }];
    // The disk as the upgrade starts is a crash state the log already holds: with a second job, it boots while the
    // upgrade runs, on the core the recording leaves idle.
    const early = jobs > 1 ? bootWindowStart(vm, logPath, marks[0]!.index - 1, join(work.path, 'state-window-start.img'), layout) : undefined;
    const earlySettled = early?.then(() => undefined, () => undefined);
    t.teardown(() => earlySettled);
    await vm.step('upgrade to version 2, marking each step it reports', async () => {
      const upgrade = vm.shell.execute(vm.upgradeCommand(vm.extraDiskDevice(0)), { timeoutMs: 300_000 });
      // A step the upgrade does not print (a variant's order differs) is not marked; the wait ends with the upgrade.
      const ended = upgrade.then(() => 'ended' as const, () => 'ended' as const);
      const steps = async () => {
        for (const [i, step] of [...upgradeSteps, upgradeDone].entries()) {
          const seen = vm.console.waitFor(step, { timeoutMs: 300_000 }).then(() => 'seen' as const);
          seen.catch(() => undefined);
          if ((await Promise.race([seen, ended])) === 'ended') break;
          marks.push({ phase: i < upgradeSteps.length ? `step-${i + 1}` : 'success-printed', index: await position(logPath) });
        }
      };
      const [result] = await Promise.all([upgrade, steps()]);
      if (result.status !== 0) throw new Error(`the upgrade exited ${result.status}:\n${result.output}`);
    });
    // What a crash after this sync leaves is what the disk promised; the states reach this far.
    await vm.step('sync the guest', () => vm.shell.succeed('sync'));
    marks.push({ phase: 'synced', index: await position(logPath) });
    await vm.boot.powerCut();

    const log = await readWriteLog(logPath);
    const start = marks[0]!.index;
    // Without a marked success line, the upgrade's end stands for it.
    const printed = (marks.find((m) => m.phase === 'success-printed') ?? marks.at(-1)!).index;
    // A crash in the epoch after this flush point may come after the success line: only the new version is right.
    const promised = Math.max(start - 1, ...flushPoints(log).filter((p) => p >= start && p < printed));

    const finalImage = join(work.path, 'final.img');
    await replay(log, logPath, vm.fixture.disk, finalImage, { upTo: log.entries.length - 1 });
    const bootLine = vm.profile.commands.bootConfLine;
    const before = await bootContent(vm.fixture.disk, layout, bootLine);
    const after = await bootContent(finalImage, layout, bootLine);
    const tornRanges = [
      ...(await bootConfSectors(vm.fixture.disk, layout, log.sectorSize)),
      ...(await bootConfSectors(finalImage, layout, log.sectorSize)),
    ];
    await rm(finalImage);

    const subsets = Number(process.env.BOOTPROOF_SUBSETS ?? 8);
    const seed = Number(process.env.BOOTPROOF_SEED ?? 1);
    const all = crashStates(log, { window: [start, log.entries.length - 1], subsets, seed, tornRanges });
    const max = Number(process.env.BOOTPROOF_MAX_STATES ?? (process.env.BOOTPROOF_SLICE === 'ci' ? 30 : 400));
    const states = boundStates(all, max);
    const kinds = (list: CrashState[]) => Object.entries(countKinds(list)).map(([k, n]) => `${k} ${n}`).join(', ');
    t.log(`${log.entries.length} log entries; ${all.length} crash states in the upgrade window (${kinds(all)}; seed ${seed}), judging ${states.length}`);

    const rows: CrashStateRow[] = [];
    vm.data.crashStates = rows;
    const v2 = vm.version(2);
    const judge = (row: CrashStateRow, named: string | undefined, booted: Booted) => {
      if (booted.error) row.reason = booted.error;
      else if (named && booted.device !== named) row.reason = `boot.conf names ${named} but ${booted.device} booted`;
      else if (row.afterSuccess && !(booted.device === 'hd0e' && booted.version === v2)) {
        row.reason = `the crash may come after the upgrade printed "${doneText}" (its last flush point before that is entry ${promised}) but it booted ${booted.device} version ${booted.version}; only hd0e version ${v2} is right`;
      }
      row.outcome = row.reason ? 'failed' : booted.version === v2 ? 'booted v2' : 'booted v1';
    };

    // Pass 1, on the host: make one image each state in turn (the disk as of its flush point, advanced in place, plus
    // its own writes), judge its boot.conf, and keep one state per distinct boot-deciding content.
    const distinct = new Map<string, { n: number; state: CrashState; description: string; afterSuccess: boolean; rows: { row: CrashStateRow; named?: string }[] }>();
    const working = await StateImage.create(log, logPath, vm.fixture.disk, join(work.path, 'working.img'));
    for (const state of [...states].sort((a, b) => a.base - b.base)) {
      await working.become(state);
      const n = states.indexOf(state) + 1;
      const phase = phaseAt(marks, state.upTo);
      const content = await bootContent(working.path, layout, bootLine, working.hashes);
      const row: CrashStateRow = { state: state.id, kind: state.kind, phase, entry: state.upTo, skipped: state.skip, torn: state.torn, afterSuccess: state.base >= promised, outcome: 'not booted' };
      rows[n - 1] = row;
      // A flush point or a torn write leaves boot.conf as the old file or the new one unless it was overwritten in place.
      // (An epoch with writes lost can leave any file of a journal-less filesystem half-updated: those are judged by
      // what boots.)
      const whole = state.kind === 'single-drop' || state.kind === 'subset' || !layout.bootConf;
      const torn = !whole && !(content.bootConf && [before.bootConf, after.bootConf].some((b) => b?.equals(content.bootConf!)));
      const same = distinct.get(content.key);
      if (torn) {
        const text = content.bootConf ? JSON.stringify(content.bootConf.toString('latin1').replace(/\0+$/, '')) : 'unreadable';
        row.reason = `boot.conf is torn: it is neither the old file nor the new one (${text.length > 120 ? `${text.slice(0, 120)}..."` : text})`;
        row.outcome = 'failed';
      } else if (same) {
        row.sameAs = same.n;
        same.rows.push({ row, named: content.named });
        same.afterSuccess ||= row.afterSuccess;
      } else {
        distinct.set(content.key, { n, state, description: `${state.description} (${phase})`, afterSuccess: row.afterSuccess, rows: [{ row, named: content.named }] });
      }
    }
    await working.remove();

    // Pass 2: boot each distinct content once, up to `jobs` at once, those a crash after the success line can leave
    // first. In the CI slice, and on a broken fixture (which the test must catch), no boot starts once a state has
    // failed: one failure is the verdict.
    const brokenFixture = vm.hasFixture && vm.fixture.manifest.variant !== 'normal';
    const stopAtFailure = process.env.BOOTPROOF_SLICE === 'ci' || brokenFixture;
    // The state booted early comes first: its boot is done or under way.
    const bootedEarlyEntry = early && [...distinct.values()].find((entry) => entry.state.id === WINDOW_START);
    const first = (entry: unknown) => Number(entry === bootedEarlyEntry);
    const queue = [...distinct.values()].sort((a, b) => first(b) - first(a) || Number(b.afterSuccess) - Number(a.afterSuccess) || a.n - b.n);
    const failedYet = () => rows.some((r) => r.outcome === 'failed');
    let booted = 0;
    let readAlike = 0;
    // A state whose disk holds what a booted state's held wherever that boot read or wrote boots as it did: the guest
    // could not tell them apart. Its root is still checked whole on the host, since the boot read only part of it.
    const witnesses: Witness[] = [];
    const alike = async (image: string, named: string | undefined) => {
      const hashes = new ChunkHashes(image);
      for (const w of witnesses) if (w.named === named && (await hashes.digest(w.touched)) === w.digest) return w;
      return undefined;
    };
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const entry = next;
        if (stopAtFailure && failedYet()) {
          for (const { row } of entry.rows) row.reason = `an earlier state failed (${brokenFixture ? 'the broken fixture is caught' : 'the CI slice stops there'})`;
          continue;
        }
        const named = entry.rows[0]!.named;
        const bootedEarly = early && entry === bootedEarlyEntry ? await early : undefined;
        // Rebuilt from the recorded disk only here: one copy per distinct content, none for the states alike in it.
        const image = bootedEarly?.image ?? join(work.path, `state-${entry.n}.img`);
        const { upTo, skip, torn } = entry.state;
        if (!bootedEarly) await replay(log, logPath, vm.fixture.disk, image, { upTo, skip, torn });
        const witness = bootedEarly ? undefined : await alike(image, named);
        let result: Booted;
        if (witness) {
          readAlike++;
          const error = await wholeRoot(vm, image, layout, witness.result);
          result = { ...witness.result, ...(error ? { error } : {}) };
          entry.rows[0]!.row.readsAs = witness.n;
          t.log(`state ${entry.n}/${states.length}: ${entry.description}: reads as #${witness.n}, not booted`);
        } else {
          booted++;
          const label = `state ${entry.n}/${states.length}: ${entry.description}`;
          const run = bootedEarly?.run ?? (await vm.step(label, () => bootState(vm, image, `state-${entry.n}`, layout)));
          if (bootedEarly) t.log(`${label}: booted while the upgrade ran`);
          result = run.result;
          if (run.touched) witnesses.push({ n: entry.n, named, result, touched: run.touched, digest: await new ChunkHashes(image).digest(run.touched) });
        }
        for (const { row, named } of entry.rows) judge(row, named, result);
        await rm(image, { force: true });
      }
    };
    await Promise.all(Array.from({ length: jobs }, worker));
    for (const row of rows) {
      const alikeTo = row.sameAs ? ` (same as #${row.sameAs})` : row.readsAs ? ` (reads as #${row.readsAs})` : '';
      t.log(`${row.state} (${row.kind}, ${row.phase}${row.afterSuccess ? ', after success' : ''}): ${row.outcome}${alikeTo}${row.reason ? `: ${row.reason}` : ''}`);
    }
    const counts = countKinds(states);
    vm.data.crashStateCounts = { ...counts, generated: all.length, judged: states.length, distinct: distinct.size, readAlike, booted, seed };
    const unbooted = rows.filter((r) => r.outcome === 'not booted').length;
    const summary = `${states.length} crash states judged (${kinds(states)}), ${distinct.size} distinct, ${readAlike} of them alike where a boot read, ${booted} booted${unbooted ? ` (${unbooted} states not booted after a failure)` : ', the rest the same content as one booted'}`;
    t.log(summary);
    const failed = rows.filter((r) => r.outcome === 'failed');
    if (failed.length === 0) t.is(unbooted, 0, `${unbooted} crash states were neither booted nor judged, and none failed`);
    t.is(
      failed.length,
      0,
      `${failed.length} of ${summary}; ${failed.length === 1 ? 'this crash state' : 'these crash states'} failed:\n${failed.map((r) => `${r.state} (${r.phase}): ${r.reason}`).join('\n')}`,
    );
  },
);
