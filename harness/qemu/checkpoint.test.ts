import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpointInfo } from './checkpoint.ts';
import { buildArgv } from './argv.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { UsageError } from '../errors.ts';

test('a folder without a checkpoint is named with the fix', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bp-checkpoint-'));
  await t.throwsAsync(readCheckpointInfo(dir), {
    instanceOf: UsageError,
    message: `${dir} holds no checkpoint (${join(dir, 'checkpoint.json')}: ENOENT): name a folder a checkpoint was saved to`,
  });
});

test('a VM restored from a checkpoint starts waiting for its state (-incoming defer)', (t) => {
  const config = loadVmConfig('amd64-bios');
  const files = { disk: { path: '/d.qcow2', format: 'qcow2' as const }, extraDisks: [], qmpSocket: '/q.sock' };
  const argv = buildArgv(config, { ...files, incoming: true }, { accel: 'tcg', name: 'x' });
  t.deepEqual(argv.slice(-2), ['-incoming', 'defer']);
  t.false(buildArgv(config, files, { accel: 'tcg', name: 'x' }).includes('-incoming'));
});
