// `bootproof console --machine M [--image IMG] [--fs FS...] [--write]`: the person's terminal on the serial console.
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkpointFiles, readCheckpointInfo } from '../qemu/checkpoint.ts';
import type { Accel } from '../deadline.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import { chooseAccel, type AccelChoice } from '../qemu/accel.ts';
import { checkFixtureRequest, ensureFixture } from '../fixture/fixture.ts';
import { readableFileSize } from '../image/inspect.ts';
import { Machine } from '../machine/machine.ts';
import { UsageError } from '../errors.ts';
import { withOverrides } from '../config/overrides.ts';
import { hasMedia, type MachineOverrides } from '../config/boot-media.ts';
import { guestHostAddress } from '../net/boot-server.ts';
import { ConsoleSession } from './console-session.ts';
import { rawProcessTerminal } from './process-terminal.ts';
import { assertTerminalForeground } from './foreground.ts';

export interface ConsoleRequest {
  /** Undefined only with `attach` (the checkpoint names its machine). */
  machine?: string;
  /** A checkpoint folder to resume from (e.g. one kept by run --keep-on-failure) instead of powering on. */
  attach?: string;
  image?: string;
  fs: string[];
  write: boolean;
  out: string;
  profile: string;
  accel: AccelChoice;
  /** Boot media and machine overrides from the command line (the image is `image`). */
  overrides?: MachineOverrides;
}

/** Runs an interactive session on this process's terminal; resolves once it has ended and QEMU is gone. */
export async function openConsole(request: ConsoleRequest): Promise<void> {
  if (!process.stdin.isTTY) throw new UsageError('console needs a terminal: run it in an interactive shell, not with input from a pipe or file');
  assertTerminalForeground('console');
  const saved = request.attach ? await readCheckpointInfo(request.attach) : undefined;
  if (saved && (request.image || request.write || request.fs.length > 0 || hasMedia(request.overrides?.media))) {
    throw new UsageError('--attach resumes a checkpoint with its own image and disks: leave out --image, --fs, --write and the other media');
  }
  if (saved && request.machine && request.machine !== saved.machine) {
    throw new UsageError(`checkpoint ${request.attach} was saved on machine ${saved.machine}, not ${request.machine}: leave out --machine`);
  }
  const machineName = saved?.machine ?? request.machine;
  if (!machineName) throw new UsageError('console needs --machine (see bootproof machines) or --attach DIR');
  const config = withOverrides(loadVmConfig(machineName), request.overrides);
  const profile = loadProfile(saved?.profile ?? request.profile);
  if (request.write && !request.image) throw new UsageError('--write would change the cached fixture image: pass your own image with --image');
  for (const fs of request.fs) await readableFileSize(fs, '.fs file');
  let image: string;
  if (saved) {
    image = saved.image;
  } else if (request.image ?? config.media.image) {
    image = resolve((request.image ?? config.media.image)!);
    await readableFileSize(image, 'image');
  } else {
    const { arch, shape } = checkFixtureRequest(config.arch, 'normal', profile.fixtureShape);
    image = (await ensureFixture(arch, 'normal', { shape })).disk;
  }
  const accel = saved ? { accel: saved.accel as Accel } : await chooseAccel(request.accel);
  await mkdir(request.out, { recursive: true });

  let session: ConsoleSession | undefined;
  const machine = await Machine.create({
    config,
    profile,
    image,
    accel: accel.accel,
    artifactDir: request.out,
    ceilingSeconds: 12 * 3600,
    writeImage: request.write,
    checkpoint: request.attach ? resolve(request.attach) : undefined,
    tap: (raw) => session?.output(raw),
  });
  const terminal = rawProcessTerminal();
  let why = 'error';
  try {
    console.log(`bootproof: ${image} on ${config.name} (${accel.accel}); ${request.write ? 'WRITING TO THE IMAGE ITSELF (--write)' : 'the image is not written (overlay)'}`);
    if (machine.config.network) console.log(`bootproof: ${bootServerAddresses(machine.bootServer.port)}`);
    if (saved && request.attach) {
      const screen = await readFile(join(request.attach, checkpointFiles.screen), 'utf8').catch(() => '');
      console.log(`bootproof: resuming checkpoint ${request.attach} saved ${saved.savedAt}; its screen then:\n${screen.trimEnd()}`);
      if (!saved.wasRunning) console.log('bootproof: the VM is paused where it was saved: Ctrl-] then "resume" lets it run');
    }
    session = new ConsoleSession(machine, terminal, {
      fs: request.fs.map((f) => resolve(f)),
      checkpoints: join(request.out, 'checkpoints'),
      restoredFrom: request.attach ? resolve(request.attach) : undefined,
    });
    why = await session.run();
  } finally {
    terminal.restore();
    await machine.release();
  }
  console.log(`\nbootproof: console ended (${why}); recorded in ${request.out}: console.txt, console.cast, qemu-stderr.log`);
}

/** The boot server as the guest reaches it on QEMU's user network: TFTP by QEMU itself, HTTP by bootproof. */
export function bootServerAddresses(httpPort: number): string {
  return `the boot server, as the guest sees it: TFTP ${guestHostAddress} (tftp://${guestHostAddress}/), HTTP http://${guestHostAddress}:${httpPort}/`;
}
