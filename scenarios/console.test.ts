// console: `bootproof console` on a real terminal (a pty): guest output shows, Ctrl-] opens the command line,
// pause/resume and save/restore act, --attach resumes a checkpoint, quit ends the session with no QEMU left, the session is recorded and the image is untouched.
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';
import { scenario, BootproofError, sha256File, AnsiStripper } from 'bootproof';

const cli = fileURLToPath(new URL('../bin/bootproof.js', import.meta.url));

scenario(
  {
    name: 'console',
    needs: ['ab-roots'],
    description: 'bootproof console: the guest is on the terminal, Ctrl-] commands (pause, save, restore) work, --attach resumes, quit leaves no QEMU and an untouched image',
    depth: 'loader',
    ci: ['amd64-bios', 'ppc64-ofw', 'mips64-uboot'],
    timeoutMinutes: 5,
  },
  async (t, vm) => {
    const out = join(vm.machine.options.artifactDir, 'session');
    const terminal = pty.spawn(
      process.execPath,
      [cli, 'console', '--machine', vm.config.name, '--image', vm.fixture.disk, '--accel', vm.machine.options.accel, '--out', out],
      { name: 'xterm-256color', cols: 80, rows: 25, env: { ...process.env, BOOTPROOF_OWNER_PID: '' } },
    );
    // What the terminal shows as text: the patterns (the vm-config's banner among them) are for text, and SLOF's
    // banner has escape sequences inside it ("SLOF\e[0m\e[?25l ****").
    let shown = '';
    const text = new AnsiStripper();
    terminal.onData((d) => (shown += text.push(d)));
    const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
    t.teardown(() => terminal.kill('SIGKILL'));
    const waitFor = async (what: RegExp, seconds: number) => {
      const until = Date.now() + vm.machine.time.ms(seconds * 1000);
      while (!what.test(shown)) {
        if (Date.now() > until) throw new BootproofError(`timed out waiting for ${what} on the console command's terminal; it showed:\n${shown.slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    // The firmware's banner: every machine shows it by itself (some need boot commands typed before the loader runs).
    await vm.step('guest output reaches the terminal', () => waitFor(vm.config.firmware.banner, 60));
    await vm.step('Ctrl-] opens the command line; pause and resume', async () => {
      terminal.write('\x1d');
      await waitFor(/bootproof> $/, 10);
      terminal.write('pause\r');
      await waitFor(/\[bootproof\] paused/, 10);
      terminal.write('\x1dresume\r');
      await waitFor(/\[bootproof\] running/, 10);
    });
    await vm.step('save a checkpoint and restore it', async () => {
      terminal.write('\x1dsave\r');
      await waitFor(/\[bootproof\] saved checkpoint \S+checkpoint-1/, 60);
      terminal.write('\x1drestore\r');
      await waitFor(/\[bootproof\] restored \S+checkpoint-1/, 60);
    });
    const code = await vm.step('quit ends the session', async () => {
      terminal.write('\x1dquit\r');
      await waitFor(/console ended \(quit\)/, 30);
      return exited;
    });
    t.is(code, 0);

    const stderrLog = await readFile(join(out, 'qemu-stderr.log'), 'utf8');
    const name = /-name (bootproof-\S+)/.exec(stderrLog)?.[1];
    t.truthy(name, 'the QEMU command line is recorded');
    t.deepEqual(await processesNamed(name!), [], 'no QEMU outlives the console command');
    t.regex(await readFile(join(out, 'console.txt'), 'utf8'), vm.config.firmware.banner, 'the session is recorded');
    t.regex((await readFile(join(out, 'console.cast'), 'utf8')).split('\n')[0]!, /"version":\s*2/);

    const attached = pty.spawn(process.execPath, [cli, 'console', '--attach', join(out, 'checkpoints', 'checkpoint-1'), '--out', `${out}-attached`], {
      name: 'xterm-256color', cols: 80, rows: 25, env: { ...process.env, BOOTPROOF_OWNER_PID: '' },
    });
    t.teardown(() => attached.kill('SIGKILL'));
    shown = '';
    const attachedText = new AnsiStripper();
    attached.onData((d) => (shown += attachedText.push(d)));
    const attachedExit = new Promise<number>((resolve) => attached.onExit(({ exitCode }) => resolve(exitCode)));
    await vm.step('console --attach resumes the checkpoint; quit', async () => {
      await waitFor(/resuming checkpoint .*checkpoint-1 saved/, 60);
      await waitFor(/Ctrl-\] opens the command line/, 30);
      attached.write('\x1dquit\r');
      await waitFor(/console ended \(quit\)/, 30);
    });
    t.is(await attachedExit, 0);
    // A checkpoint holds the guest's RAM (about 100 MB): not worth keeping in the report.
    await rm(join(out, 'checkpoints'), { recursive: true, force: true });
    t.is(await sha256File(vm.fixture.disk), vm.fixture.manifest.files['disk.img']!.sha256, 'the image was not written');
  },
);

/** Pids whose command line mentions `name`. */
async function processesNamed(name: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    try {
      if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(name)) found.push(Number(pid));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}
