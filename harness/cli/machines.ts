// `bootproof machines`: the machines, where each comes from, and whether each can run here.
import { loadVmConfig, machineFiles, missingOnHost } from '../config/vm-config.ts';
import { command } from './command.ts';

export const machines = command({
  name: 'machines',
  usage: `usage: bootproof machines
list the machines, where each comes from (built-in, or the file of your folder's vm-configs/) and whether it can run here`,
  options: {},
  run() {
    const machines = machineFiles();
    const width = Math.max(...machines.map((m) => m.name.length));
    for (const { name, file, builtIn } of machines) {
      const config = loadVmConfig(file);
      const missing = missingOnHost(config);
      const status = missing ? `cannot run here: ${missing}` : 'can run here';
      const source = builtIn ? 'built-in' : file;
      console.log(`${name.padEnd(width)} ${config.arch.padEnd(9)} ${config.firmware.kind.padEnd(8)} ${config.depth.padEnd(7)} ${source.padEnd(9)} ${status}`);
    }
    return 0;
  },
});
