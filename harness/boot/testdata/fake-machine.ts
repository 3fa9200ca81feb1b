// A Machine stand-in for boot-path tests: a fake firmware in place of QEMU, behind the same console.
import type { Console } from '../../console/console.ts';
import type { VmConfig } from '../../config/vm-config.ts';
import type { Machine } from '../../machine.ts';

/** A firmware simulated in the test: each power-on gives a fresh console wired to it. */
export interface FakeFirmware {
  start(): Console;
}

/** The boot server and metadata service addresses a fake machine with a NIC gets: a port as long as any (5 digits). */
export const fakeBootServer = 'http://10.0.2.2:65535';

export function fakeMachine(config: VmConfig, firmware: FakeFirmware): Machine {
  let console: Console | undefined;
  const machine = {
    options: { config },
    bootServer: { guestUrl: (path: string) => `${fakeBootServer}/${path}` },
    metadata: { guestUrl: `${fakeBootServer}/conf` },
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
