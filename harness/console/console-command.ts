// `bootproof console --machine M [--image IMG] [--fs FS...] [--write]`: the person's terminal on the serial console.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadVmConfig } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import { chooseAccel, type AccelChoice } from '../qemu/accel.ts';
import { checkFixtureRequest, ensureFixture } from '../fixture/fixture.ts';
import { readableFileSize } from '../image/inspect.ts';
import { Machine } from '../machine.ts';
import { UsageError } from '../errors.ts';
import { ConsoleSession, type Terminal } from './interactive.ts';

export interface ConsoleRequest {
  machine: string;
  image?: string;
  fs: string[];
  write: boolean;
  out: string;
  profile: string;
  accel: AccelChoice;
}

/** Runs an interactive session on this process's terminal; resolves once it has ended and QEMU is gone. */
export async function openConsole(request: ConsoleRequest): Promise<void> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new UsageError('console needs a terminal: run it in an interactive shell, not with input from a pipe or file');
  const config = loadVmConfig(request.machine);
  const profile = loadProfile(request.profile);
  if (request.write && !request.image) throw new UsageError('--write would change the cached fixture image: pass your own image with --image');
  for (const fs of request.fs) await readableFileSize(fs, '.fs file');
  let image: string;
  if (request.image) {
    image = resolve(request.image);
    await readableFileSize(image, 'image');
  } else {
    const { arch } = checkFixtureRequest(config.arch, 'normal');
    image = (await ensureFixture(arch)).disk;
  }
  const accel = await chooseAccel(request.accel);
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
    tap: (raw) => session?.output(raw),
  });
  const terminal: Terminal = {
    onInput: (listener) => stdin.on('data', (chunk: string) => listener(chunk)),
    write: (data) => process.stdout.write(data),
  };
  stdin.setEncoding('utf8');
  stdin.setRawMode(true);
  stdin.resume();
  let why = 'error';
  try {
    console.log(`bootproof: ${image} on ${config.name} (${accel.accel}); ${request.write ? 'WRITING TO THE IMAGE ITSELF (--write)' : 'the image is not written (overlay)'}`);
    session = new ConsoleSession(machine, terminal, { fs: request.fs.map((f) => resolve(f)) });
    why = await session.run();
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    await machine.release();
  }
  console.log(`\nbootproof: console ended (${why}); recorded in ${request.out}: console.txt, console.cast, qemu-stderr.log`);
}
