// `bootproof replay DIR --test NAME`: boots a recorded test again, types its inputs, then hands over the console.
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseAccelChoice } from '../qemu/accel.ts';
import { replayTest } from '../interactive/replay-command.ts';
import { command } from './command.ts';
import { count, timestamp } from './shared.ts';

export const replay = command({
  name: 'replay',
  usage: `usage: bootproof replay DIR --test NAME [--until N] [--list] [options]
boot a recorded test of the run folder DIR again, type its inputs, then hand you the console

  --test NAME            the test: its title ("failover on amd64-bios"), scenario, or scenario--machine
  --until N              stop typing after input N (default: the last)
  --list                 only print the numbered inputs
  --profile P            target profile (fixture, openbsd-resflash, or a .json file)
  --accel kvm|tcg|auto   accelerator (auto: KVM only if a probe boot proves it works)
  --out DIR              where the session is recorded (default reports/replay-<time>/)`,
  options: {
    test: { type: 'string' },
    until: { type: 'string' },
    list: { type: 'boolean' },
    profile: { type: 'string' },
    accel: { type: 'string' },
    out: { type: 'string' },
  },
  positionals: true,
  async run(values, dirs) {
    if (dirs.length !== 1 || !values.test) throw new UsageError('replay needs a run folder and --test: bootproof replay DIR --test NAME [--until N]');
    await replayTest({
      runDir: dirs[0]!,
      test: values.test,
      until: values.until === undefined ? undefined : Math.max(1, count('--until', values.until, 1)),
      list: values.list ?? false,
      out: resolve(values.out ?? join('reports', `replay-${timestamp()}`)),
      profile: values.profile ?? 'fixture',
      accel: parseAccelChoice(values.accel),
    });
    return 0;
  },
});
