import test from 'ava';
import { TestMachine } from './test-machine.ts';
import { Console } from '../console/console.ts';
import { TimeScale } from '../deadline.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import { WaitTimeout } from '../errors.ts';
import type { Machine } from '../machine/machine.ts';
import type { BootPath } from '../boot/boot-path.ts';

function machineWithConsole() {
  const console = new Console({ write: () => undefined, time: new TimeScale('kvm'), failFast: [], typingDelayMs: 0 });
  const passes: string[] = [];
  const machine = { console, options: { image: '/images/mine.img' } } as unknown as Machine;
  const t = { pass: (message?: string) => void passes.push(message ?? '') } as never;
  const vm = new TestMachine(t, loadVmConfig('amd64-bios'), loadProfile('generic'), undefined, machine, {} as BootPath);
  return { vm, console, passes };
}

test("a wait that matched on the scenario's console is an assertion; one that timed out is none", async (t) => {
  const { vm, console, passes } = machineWithConsole();
  console.feed('SeaBIOS (version 1.16.2)\r\nBooting from DVD/CD...\r\n');
  await vm.console.waitFor(/SeaBIOS/, { timeoutMs: 100 });
  t.deepEqual(passes, ['the console showed /SeaBIOS/']);
  const any = await vm.console.waitForAny({ cd: /Booting from DVD\/CD/, disk: /Booting from Hard Disk/ }, { timeoutMs: 100 });
  t.is(any.outcome, 'cd');
  t.is(passes.length, 2);
  await t.throwsAsync(vm.console.waitFor(/login: /, { timeoutMs: 20 }), { instanceOf: WaitTimeout });
  t.is((await vm.console.waitForAny({ x: /login: / }, { timeoutMs: 20, softTimeout: true })).outcome, 'timeout');
  t.is(passes.length, 2, 'no assertion for a wait that did not match');
  t.is(vm.console.streamText(), console.streamText(), 'the rest of the console is the machine\'s own');
});

test('without A/B images vm.fixture throws, saying why and what to do', (t) => {
  const { vm } = machineWithConsole();
  t.false(vm.hasFixture);
  t.throws(() => vm.fixture, { message: /this run boots \/images\/mine\.img without A\/B images, so there is no vm\.fixture: declare needs: \['ab-roots'\]/ });
});
