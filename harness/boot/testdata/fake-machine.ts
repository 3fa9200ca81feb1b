// A boot target for boot-path tests: a fake firmware in place of QEMU, behind the same console and power protocols.
import type { Console } from '../../console/console.ts';
import type { VmConfig } from '../../config/vm-config.ts';
import { TimeScale } from '../../deadline.ts';
import type { BootTarget } from '../../machine/protocols.ts';

/** A firmware simulated in the test: each power-on gives a fresh console wired to it. */
export interface FakeFirmware {
  start(): Console;
}

/** The boot server and metadata service addresses a fake machine with a NIC gets: a port as long as any (5 digits). */
export const fakeBootServer = 'http://10.0.2.2:65535';

/** A fake machine, and `exit()` to end it from outside as QEMU ending by itself would. */
export interface FakeMachine extends BootTarget {
  exit(): void;
}

export function fakeMachine(config: VmConfig, firmware: FakeFirmware): FakeMachine {
  let console: Console | undefined;
  let settings: string[] | undefined;
  const exitListeners: (() => void)[] = [];
  const end = (signal?: number) => {
    if (!console) return;
    console.end(0, signal);
    console = undefined;
    for (const listener of exitListeners) listener();
  };
  return {
    config,
    time: new TimeScale('kvm'),
    get console() {
      if (!console) throw new Error('the fake machine is off');
      return console;
    },
    get firmwareSettingsSaved() {
      return settings;
    },
    rememberFirmwareSettings(commands) {
      settings = commands;
    },
    guestAddresses: (): Record<string, string> => (config.network ? { bootServer: fakeBootServer, metadataUrl: `${fakeBootServer}/conf` } : {}),
    async start() {
      console = firmware.start();
    },
    async quit() {
      end();
    },
    async crash() {
      end(9);
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    exit: () => end(),
    async checkpoint() {
      throw new Error('the fake machine keeps no checkpoints');
    },
    async useCheckpoint() {
      throw new Error('the fake machine keeps no checkpoints');
    },
    async resetDisk() {
      throw new Error('the fake machine has no disk');
    },
  };
}
