// A Machine stand-in for boot-path tests: a fake firmware in place of QEMU, behind the same console.
import type { Console } from '../../console/console.ts';
import type { VmConfig } from '../../config/vm-config.ts';
import type { Machine } from '../../machine.ts';

/** A firmware simulated in the test: each power-on gives a fresh console wired to it. */
export interface FakeFirmware {
  start(): Console;
}

export function fakeMachine(config: VmConfig, firmware: FakeFirmware): Machine {
  let console: Console | undefined;
  const machine = {
    options: { config },
    timeFactor: 1,
    firmwareSettingsSaved: undefined,
    get console() {
      return console!;
    },
    async start() {
      console = firmware.start();
    },
    async quit() {
      console?.end(0);
    },
    async powerCut() {
      console?.end(0, 9);
    },
  };
  return machine as unknown as Machine;
}
