import test from 'ava';
import { join } from 'node:path';
import { QemuProcess } from './process.ts';
import { testFolder } from '../testdata/test-folder.ts';

test('a power cut resolves once no process of the group is left, so the next QEMU finds its disk locks free', async (t) => {
  const dir = await testFolder(t, 'process');
  // A stand-in for QEMU under `timeout`, with a process of its own below it.
  const proc = new QemuProcess({ binary: 'sh', args: ['-c', 'sleep 30 & echo started; wait'], stderrLog: join(dir, 'stderr.log'), ceilingSeconds: 60 });
  await new Promise<void>((resolve) => proc.onData((data) => data.includes('started') && resolve()));
  await proc.kill();
  t.false(proc.running);
  t.throws(() => process.kill(-proc.pid, 0), { code: 'ESRCH' }, 'no process of the group is left');
});
