// `bootproof machines`: the machines and whether each can run here.
import { loadVmConfig, machineNames, missingOnHost } from '../config/vm-config.ts';
import { command } from './command.ts';

export const machines = command({
  name: 'machines',
  usage: `usage: bootproof machines
list the machines and whether each can run here`,
  options: {},
  run() {
    for (const name of machineNames()) {
      const config = loadVmConfig(name);
      const missing = missingOnHost(config);
      const status = missing ? `cannot run here: ${missing}` : 'can run here';
      console.log(`${name.padEnd(14)} ${config.arch.padEnd(9)} ${config.firmware.kind.padEnd(8)} ${config.depth.padEnd(7)} ${status}`);
    }
    return 0;
  },
});
