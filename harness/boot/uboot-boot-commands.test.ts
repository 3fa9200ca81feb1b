import test from 'ava';
import { BootPath } from './boot-path.ts';
import { loadProfile } from '../config/profile.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { fakeMachine } from './testdata/fake-machine.ts';

const machine = fakeMachine(loadVmConfig('mips64-uboot'), { start: () => { throw new Error('not started'); } });

test('mips64-uboot puts the metadata service on the kernel command line, as a cloud boot needs', (t) => {
  const commands = new BootPath(machine, loadProfile('fixture')).firmwareBootCommands();
  t.true(commands.includes('setenv a rf.metadata=http://10.0.2.2:65535/conf quiet cryptomgr.notests'));
  t.true(commands.some((c) => c.startsWith('setenv bootcmd ') && c.includes(' rd_size=0x${filesize} ${a};')), 'bootargs take the kernel arguments from $a');
});

test('every mips64-uboot boot line fits U-Boot\'s 256-byte console buffer, failover included (a longer line is cut short)', (t) => {
  const path = new BootPath(machine, loadProfile('fixture'));
  path.provideFirmwareValues({ kernelArguments: ' rf.device=hd0e' });
  const commands = path.firmwareBootCommands();
  t.true(commands.some((c) => c.includes('rf.device=hd0e')));
  for (const command of commands) t.true(command.length < 256, `too long for U-Boot (${command.length} characters): ${command}`);
});
