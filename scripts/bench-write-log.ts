// Write-log benchmark: records blklogwrites logs with qemu-io and qemu-img bench, then times indexing and replay. Prints `name: value` lines.
import { copyFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { createTempFolder } from '../harness/qemu/temp-folder.ts';
import { applyEntries, readWriteLog, type WriteLog } from '../harness/disk/write-log.ts';
import { crashStates } from '../harness/disk/crash-states.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const MiB = 1048576;
const DISK_BYTES = 64 * MiB;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const print = (name: string, value: string | number) => console.log(`${name}: ${value}`);

const blockSpec = (disk: string, log: string) =>
  `json:${JSON.stringify({
    driver: 'blklogwrites',
    file: { driver: 'file', filename: disk },
    log: { driver: 'file', filename: log },
    'log-sector-size': 512,
  })}`;

/** Fresh disk (a copy of the sparse base) and empty log for one recording. */
async function prepare(base: string, name: string) {
  const disk = join(work.path, `${name}.raw`);
  const log = join(work.path, `${name}.log`);
  await copyFile(base, disk);
  await writeFile(log, '');
  return { disk, log };
}

const dataBytes = (log: WriteLog) =>
  log.entries.filter((entry) => !entry.flags.flush && !entry.flags.discard).reduce((sum, entry) => sum + entry.sectors * log.sectorSize, 0);

/** Times readWriteLog, then replays every entry over copies of the base and checks the result against the recorded disk. */
async function measure(label: string, base: string, disk: string, logPath: string) {
  const indexMs: number[] = [];
  let log: WriteLog | undefined;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    log = await readWriteLog(logPath);
    indexMs.push(performance.now() - started);
  }
  const copyMs: number[] = [];
  const replayMs: number[] = [];
  const out = join(work.path, `${label}-out.raw`);
  for (let round = 0; round < rounds; round++) {
    const copyStarted = performance.now();
    await copyFile(base, out);
    copyMs.push(performance.now() - copyStarted);
    const started = performance.now();
    await applyEntries(log!, logPath, out, 0, log!.entries.length - 1);
    replayMs.push(performance.now() - started);
  }
  const identical = (await execa('cmp', ['-s', out, disk], { reject: false })).exitCode === 0;
  const bytes = dataBytes(log!);
  print(`${label}_log_MiB`, ((await stat(logPath)).size / MiB).toFixed(1));
  print(`${label}_entries`, log!.entries.length);
  print(`${label}_crash_states`, crashStates(log!).length);
  print(`${label}_index_ms_median`, median(indexMs).toFixed(2));
  print(`${label}_entries_indexed_per_s`, Math.round(log!.entries.length / (median(indexMs) / 1000)));
  print(`${label}_copy_base_ms_median`, median(copyMs).toFixed(1));
  print(`${label}_replay_ms_median`, median(replayMs).toFixed(1));
  print(`${label}_replay_MB_per_s_median`, (bytes / 1e6 / (median(replayMs) / 1000)).toFixed(0));
  print(`${label}_replay_identical`, identical ? 'yes' : 'NO');
}

const work = await createTempFolder('bench-write-log');
try {
  const base = join(work.path, 'base.raw');
  await writeFile(base, '');
  await truncate(base, DISK_BYTES);

  const large = await prepare(base, 'writes-1m');
  const commands: string[] = [];
  for (let i = 0; i < 64; i++) {
    commands.push('-c', `write -q -P ${(i % 255) + 1} ${i}M 1M`);
    if (i % 4 === 3) commands.push('-c', 'flush');
  }
  let started = performance.now();
  await execa('qemu-io', ['-t', 'writeback', blockSpec(large.disk, large.log), ...commands]);
  print('writes_1m_record_ms', Math.round(performance.now() - started));
  await measure('writes_1m', base, large.disk, large.log);

  for (const [label, step] of [['writes_4k_sequential', '4k'], ['writes_4k_strided', '8k']] as const) {
    const small = await prepare(base, label);
    started = performance.now();
    await execa('qemu-img', [
      'bench', '-w', '-q', '-t', 'writeback', '-c', '8192', '-s', '4k', '-S', step, '-d', '1', '--flush-interval=64', '--pattern=90',
      blockSpec(small.disk, small.log),
    ]);
    print(`${label}_record_ms`, Math.round(performance.now() - started));
    await measure(label, base, small.disk, small.log);
  }
} finally {
  await work.cleanup();
}
