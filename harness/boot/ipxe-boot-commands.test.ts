import test from 'ava';
import { BootPath } from './boot-path.ts';
import { loadProfile } from '../config/profile.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { fakeMachine } from './testdata/fake-machine.ts';

// A machine with a boot server on a port as long as any (5 digits), whose metadata service is at /conf.
const machine = fakeMachine(loadVmConfig('amd64-ipxe'), { start: () => { throw new Error('not started'); } });

test('amd64-ipxe types dhcp, the boot server and metadata addresses, then initrd and chain', (t) => {
  const commands = new BootPath(machine, loadProfile('fixture')).firmwareBootCommands();
  t.deepEqual(commands, [
    'dhcp',
    'set s http://10.0.2.2:65535',
    'set a rf.metadata=http://10.0.2.2:65535/conf quiet',
    'initrd ${s}/initrd.img',
    'chain ${s}/vmlinuz initrd=initrd.img console=ttyS0,115200 ${a}',
  ]);
});

test('every amd64-ipxe boot line fits iPXE\'s 80 columns after its prompt, failover included (a wrapped echo is never matched)', (t) => {
  const path = new BootPath(machine, loadProfile('fixture'));
  path.provideFirmwareValues({ kernelArguments: ' rf.device=hd0e' });
  const commands = path.firmwareBootCommands();
  t.true(commands.some((c) => c.includes('rf.device=hd0e')));
  for (const command of commands) t.true('iPXE> '.length + command.length < 80, `too long for one line: ${command}`);
});
