// The package as a user gets it: npm pack's tarball unpacked into a new repository's node_modules (its npm packages
// linked from this checkout, as npm would have installed them), run from that repository with its own machine and
// scenario. One boot, until SeaBIOS shows.
import test from 'ava';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { checkout, makeUserFolder } from '../config/testdata/user-folder.ts';

test('a packed bootproof runs a scenario of the repository it is installed in', async (t) => {
  const user = makeUserFolder(t);
  const packed = await execa('npm', ['pack', '--json', '--pack-destination', user.root], { cwd: checkout });
  const [{ filename }] = JSON.parse(packed.stdout) as { filename: string }[];
  // The package replaces the link to the checkout that the user folder comes with.
  const bootproof = join(user.root, 'node_modules', 'bootproof');
  rmSync(bootproof);
  mkdirSync(bootproof);
  await execa('tar', ['-xzf', join(user.root, filename!), '-C', bootproof, '--strip-components=1']);
  symlinkSync(join(checkout, 'node_modules'), join(bootproof, 'node_modules'));
  t.false(existsSync(join(bootproof, 'harness', 'cli', 'main.test.ts')), 'the tarball holds no unit tests');

  copyFileSync(join(bootproof, 'vm-configs', 'amd64-bios.json'), user.write('vm-configs/my-pc.json', ''));
  user.write(
    'scenarios/mine.test.ts',
    `import { scenario } from 'bootproof';
scenario({ name: 'mine', description: 'my PC starts SeaBIOS', depth: 'full', ci: ['my-pc'], timeoutMinutes: 5 }, async (t, vm) => {
  await vm.boot.powerOn();
  await vm.console.waitFor(/SeaBIOS/, { timeoutMs: 60000 });
  t.pass();
});
`,
  );
  const out = join(user.root, 'report');
  const run = await execa(process.execPath, [join(bootproof, 'bin', 'bootproof.js'), 'run', '--machine', 'my-pc', '--scenario', 'mine', '--accel', 'tcg', '--retries', '0', '--out', out], {
    cwd: user.root,
    reject: false,
    all: true,
    env: { BOOTPROOF_USER_DIR: '' },
  });
  t.is(run.exitCode, 0, run.all);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { run: { complete: boolean }; tests: { title: string; status: string; artifacts: { transcript: string } }[] };
  t.true(results.run.complete);
  t.like(results.tests, [{ title: 'mine on my-pc', status: 'passed' }]);
  t.regex(readFileSync(join(out, results.tests[0]!.artifacts.transcript), 'utf8'), /SeaBIOS/);
});
