// Test helper: starts one machine on a blank disk, prints QEMU's pid, then waits to be killed. It is killed before it
// could clean up, so it works in the system's temporary folder, which the test makes a folder of its own (TMPDIR).
import { execa } from 'execa';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadVmConfig } from '../../config/vm-config.ts';
import { loadProfile } from '../../config/profile.ts';
import { Machine } from '../../machine/machine.ts';

const dir = tmpdir();
const image = join(dir, 'blank.img');
await execa('qemu-img', ['create', '-q', '-f', 'raw', image, '1M']);
const machine = await Machine.create({
  config: loadVmConfig('amd64-bios'),
  profile: loadProfile('fixture'),
  image,
  accel: 'tcg',
  artifactDir: dir,
});
await machine.start();
await machine.console.waitFor('SeaBIOS', { timeoutMs: 20_000 });
console.log(`running ${machine.name}`);
setInterval(() => undefined, 1000);
