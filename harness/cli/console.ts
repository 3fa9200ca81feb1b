// `bootproof console`: the person's terminal on a machine's serial console, or on a checkpoint resumed.
import { join, resolve } from 'node:path';
import { parseAccelChoice } from '../qemu/accel.ts';
import { openConsole } from '../interactive/console-command.ts';
import { command } from './command.ts';
import { timestamp } from './shared.ts';
import { machineOptions, machineUsage, mediaOptions, mediaUsage, overridesFrom } from './media-options.ts';

export const consoleCommand = command({
  name: 'console',
  usage: `usage: bootproof console --machine M [--image IMG] [--fs FS]... [--write] [options]
       bootproof console --attach DIR
your terminal on the machine's serial console; Ctrl-] for commands

  --machine M            the machine to boot (see bootproof machines)
${mediaUsage.replace(/ {2}--image FILE .*\n/, '  --image IMG            the disk image to boot (default: the built-in fixture), through an overlay unless --write\n')}
${machineUsage}
  --fs FS                a .fs file the console's attach command plugs in as a read-only disk (repeatable)
  --write                the guest's writes go to --image itself
  --attach DIR           resume a checkpoint (e.g. kept by --keep-on-failure) instead of powering on
  --profile P            target profile (fixture, openbsd-resflash, or a .json file)
  --accel kvm|tcg|auto   accelerator (auto: KVM only if a probe boot proves it works)
  --out DIR              where the session is recorded (default reports/console-<time>/)`,
  options: {
    machine: { type: 'string' },
    ...mediaOptions,
    ...machineOptions,
    fs: { type: 'string', multiple: true },
    write: { type: 'boolean' },
    attach: { type: 'string' },
    profile: { type: 'string' },
    accel: { type: 'string' },
    out: { type: 'string' },
  },
  async run(values) {
    await openConsole({
      machine: values.machine,
      attach: values.attach,
      image: values.image,
      fs: values.fs ?? [],
      write: values.write ?? false,
      out: resolve(values.out ?? join('reports', `console-${timestamp()}`)),
      profile: values.profile ?? 'fixture',
      accel: parseAccelChoice(values.accel),
      overrides: await overridesFrom({ ...values, image: undefined }),
    });
    return 0;
  },
});
