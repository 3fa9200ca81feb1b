// The `bootproof` command: finds the command named first and hands it the rest of the arguments.
import { BootproofError, InfrastructureError, UsageError } from '../errors.ts';
import type { Command } from './command.ts';
import { nightly, run } from './run.ts';
import { crashStates } from './crash-states.ts';
import { machines } from './machines.ts';
import { validate } from './validate.ts';
import { mutate } from './mutate.ts';
import { consoleCommand } from './console.ts';
import { replay } from './replay.ts';
import { inspect } from './inspect.ts';
import { imagePack } from './image-pack.ts';
import { fixtureBuild } from './fixture-build.ts';
import { reportBuild, reportMerge } from './report.ts';
import { init } from './init.ts';

export const usage = `usage: bootproof <command> [options]

commands:
  init [--name NAME] [--machine M]                           scaffold a project here: a machine, a profile and a scenario
  run --machine M[,M...] --scenario S[,S...]                 run scenarios on machines
  nightly [--slice ci|full]                                  every scenario on every machine it applies to
  crash-states --machine M [--max-states N] [--subsets K] [--seed N] [--state-jobs N]
                                                             boot every crash state of a recorded upgrade
  machines                                                   list the machines, where each comes from, whether each can run here
  validate --profile P --image IMG --fs FS [--fs FS2] [--machines M,...] [--scenario S,...]
                                                             check a user's image and .fs files, then run the scenarios on them
  mutate --machine M --file PATH [--scenario S,...] [--max N] [--seed N]
                                                             change one line of a script in the image at a time; which changes pass every scenario
  console --machine M [--image IMG] [--fs FS]... [--write]   your terminal on the machine's serial console; Ctrl-] for commands
  console --attach DIR                                       the same, resuming a checkpoint (e.g. kept by --keep-on-failure)
  replay DIR --test NAME [--until N] [--list]                boot a recorded test again, type its inputs, then hand you the console
  inspect IMG [--json]                                       what an image holds: partitions, filesystems, boot.conf, checksums;
                                                             for a packed ramdisk image, the header as lookimage prints it, verified
  image pack --in RAW --out IMG [--compress] [--name N] [--dataset D] [--target-size SIZE]
                                                             pack a ramdisk image behind a checksummed header (magic 0x1DEB0075)
  fixture build --arch A [--variant V] [--out DIR]           build (or reuse) a fixture image (A: amd64, ppc64el, powerpc, mips64el), print its folder
  report build DIR                                           rebuild results.json, junit.xml and index.html of a run folder
  report merge DIR... --out DIR                              join shard run folders into one report folder

bootproof <command> --help lists the options of a command: each takes only its own.
run, nightly, crash-states and validate also take --accel, --retries, --repeat, -j/--jobs, --shard, --variant,
--profile, --keep-on-failure, --known-failures and --out.

exit status: 0 all passed, 1 a test failed, 2 bad usage or setup`;

const commands = new Map<string, Command>(Object.entries({
  init,
  run,
  nightly,
  'crash-states': crashStates,
  machines,
  validate,
  mutate,
  console: consoleCommand,
  replay,
  inspect,
  'image pack': imagePack,
  'fixture build': fixtureBuild,
  'report build': reportBuild,
  'report merge': reportMerge,
}));

/** Runs the command `argv` names; throws what goes wrong. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage);
    return name === undefined ? 2 : 0;
  }
  if (name.startsWith('-')) throw new UsageError(`${name}: name the command first, then its options: bootproof <command> [options]`);
  const single = commands.get(name);
  if (single) return single(rest);
  const [sub, ...subArgs] = rest;
  const pair = commands.get(`${name} ${sub}`);
  if (pair) return pair(subArgs);
  const subs = [...commands.keys()].filter((c) => c.startsWith(`${name} `));
  if (subs.length > 0) throw new UsageError(`${name}: expected ${subs.map((c) => `"${c}"`).join(' or ')}, got "${[name, ...rest].join(' ')}"`);
  throw new UsageError(`unknown command "${name}"\n${usage}`);
}

/** Runs the command and resolves to the exit status, having printed any error: 2 for bad usage or setup, else 1. */
export async function cli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InfrastructureError) {
      console.error(`bootproof: ${error.message}`);
      return 2;
    }
    console.error(error instanceof BootproofError ? `bootproof: ${error.message}` : error);
    return 1;
  }
}
