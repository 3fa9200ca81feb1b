import test, { type ExecutionContext } from 'ava';
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { testFolder } from '../testdata/test-folder.ts';

const holder = fileURLToPath(new URL('./testdata/hold-machine.ts', import.meta.url));

/** Starts a Node process holding one running QEMU, its files in a folder of the test; resolves with the machine name shown in `ps`. */
async function holdMachine(t: ExecutionContext, env: Record<string, string> = {}): Promise<{ child: ResultPromise; name: string }> {
  const folder = await testFolder(t, 'hold');
  const child = execa(process.execPath, ['--import', 'tsx', holder], { env: { ...env, TMPDIR: folder }, reject: false, buffer: false });
  t.teardown(() => void child.kill('SIGKILL'));
  const name = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /running (\S+)/.exec(chunk.toString());
      if (m) resolve(m[1]!);
    });
    void child.then((r) => reject(new Error(`holder exited early: ${r.exitCode} ${r.stderr ?? ''}`)));
  });
  return { child, name };
}

async function qemuGone(name: string, withinMs = 10_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const { exitCode } = await execa('pgrep', ['-f', name], { reject: false });
    if (exitCode !== 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test.serial('QEMU dies with the harness when the harness is SIGKILLed', async (t) => {
  const { child, name } = await holdMachine(t);
  t.false(await qemuGone(name, 300), 'QEMU runs while the harness lives');
  child.kill('SIGKILL');
  t.true(await qemuGone(name), `no QEMU named ${name} is left`);
});

test.serial('QEMU dies with the harness on SIGINT', async (t) => {
  const { child, name } = await holdMachine(t);
  child.kill('SIGINT');
  t.true(await qemuGone(name));
  t.is((await child).signal, 'SIGINT');
});

test.serial('QEMU dies when the runner that owns the worker is SIGKILLed', async (t) => {
  const owner = execa('sleep', ['600'], { reject: false });
  const { child, name } = await holdMachine(t, { BOOTPROOF_OWNER_PID: String(owner.pid) });
  owner.kill('SIGKILL');
  await owner;
  t.true(await qemuGone(name));
  t.is((await child).exitCode, 1);
});
