import test from 'ava';
import { ConsoleSession, escapeKey, type Terminal } from './console-session.ts';
import type { Machine } from '../machine/machine.ts';

/** A machine that records what it is asked to do and never runs QEMU. */
function fakeMachine() {
  const calls: string[] = [];
  const sent: string[] = [];
  let exit!: (info: { exitCode: number }) => void;
  let exited = new Promise<{ exitCode: number } | undefined>((r) => (exit = r));
  const machine = {
    options: { config: { name: 'fake' } },
    running: true,
    console: { send: async (data: string) => void sent.push(data) },
    qmp: { execute: async (command: string) => void calls.push(`qmp ${command}`) },
    start: async () => void calls.push('start'),
    quit: async () => (calls.push('quit'), exit({ exitCode: 0 })),
    crash: async () => {
      calls.push('crash');
      exit({ exitCode: 137 });
      exited = new Promise((r) => (exit = r));
    },
    exited: () => exited,
    plugDisk: async (path: string) => (calls.push(`plug ${path}`), 'bp-plugged-1'),
    checkpoint: async (dir: string) => (calls.push(`checkpoint ${dir}`), { stateBytes: 97 * 1048576 }),
    useCheckpoint: async (dir: string) => void calls.push(`use ${dir}`),
  };
  return { machine: machine as unknown as Machine, calls, sent, exitByItself: () => exit({ exitCode: 0 }) };
}

function fakeTerminal() {
  let listener: (data: string) => void = () => undefined;
  const terminal: Terminal & { shown: string; type: (s: string) => void } = {
    shown: '',
    onInput: (l) => (listener = l),
    write: (d) => void (terminal.shown += d),
    type: (s) => listener(s),
  };
  return terminal;
}

const settle = () => new Promise((r) => setTimeout(r, 10));

test('keys go to the guest, Ctrl-C included; Ctrl-] opens the command line and holds guest output until it closes', async (t) => {
  const { machine, sent } = fakeMachine();
  const terminal = fakeTerminal();
  const session = new ConsoleSession(machine, terminal, { fs: [], checkpoints: '/out/checkpoints' });
  void session.run();
  await settle();
  terminal.type('ls\r\x03');
  t.deepEqual(sent, ['ls\r\x03']);
  terminal.type(`x${escapeKey}`);
  t.deepEqual(sent, ['ls\r\x03', 'x'], 'what comes before the escape key still reaches the guest');
  t.true(terminal.shown.endsWith('bootproof> '));
  session.output('guest text while the menu is open');
  t.false(terminal.shown.includes('guest text'));
  terminal.type('hlp\x7f\x7felp\r');
  await settle();
  t.regex(terminal.shown, /bootproof> hlp\x08 \x08\x08 \x08elp\r\n\[bootproof\] commands .*\r\n  help, \?/s);
  t.true(terminal.shown.endsWith('guest text while the menu is open'), 'held output is shown once the line closes');
  terminal.type(`${escapeKey}\x1b`);
  t.deepEqual(sent.length, 2, 'Esc closes the command line without sending anything');
});

test('pause, resume, reset, attach and cut act on the machine; quit ends the session', async (t) => {
  const { machine, calls } = fakeMachine();
  const terminal = fakeTerminal();
  const session = new ConsoleSession(machine, terminal, { fs: ['/a.fs'], checkpoints: '/out/checkpoints' });
  const ended = session.run();
  await settle();
  for (const command of ['pause', 'resume', 'reset', 'attach', 'attach', 'cut', 'nonsense']) {
    terminal.type(`${escapeKey}${command}\r`);
    await settle();
    if (command === 'nonsense') terminal.type('\x1b');
  }
  t.deepEqual(calls, ['start', 'qmp stop', 'qmp cont', 'qmp system_reset', 'plug /a.fs', 'crash', 'start']);
  t.regex(terminal.shown, /every --fs file is attached already/);
  t.regex(terminal.shown, /unknown command "nonsense" \(help lists the commands\)/);
  terminal.type(`${escapeKey}quit\r`);
  t.is(await ended, 'quit', 'the power cut did not end the session, quit did');
});

test('save and restore checkpoints: restore goes back to the last one saved, or a named one', async (t) => {
  const { machine, calls } = fakeMachine();
  const terminal = fakeTerminal();
  const session = new ConsoleSession(machine, terminal, { fs: [], checkpoints: '/out/checkpoints' });
  void session.run();
  await settle();
  for (const command of ['restore', 'save', 'save shell', 'restore', 'restore checkpoint-1']) {
    terminal.type(`${escapeKey}${command}\r`);
    await settle();
  }
  t.regex(terminal.shown, /no checkpoint saved yet: "save" first/);
  t.regex(terminal.shown, /saved checkpoint \/out\/checkpoints\/checkpoint-1 \(97 MiB of state\)/);
  t.deepEqual(calls, [
    'start',
    'checkpoint /out/checkpoints/checkpoint-1',
    'checkpoint /out/checkpoints/shell',
    'crash', 'use /out/checkpoints/shell', 'start',
    'crash', 'use /out/checkpoints/checkpoint-1', 'start',
  ]);
});

test('the session ends when QEMU exits by itself (a guest poweroff)', async (t) => {
  const { machine, exitByItself } = fakeMachine();
  const session = new ConsoleSession(machine, fakeTerminal(), { fs: [], checkpoints: '/out/checkpoints' });
  const ended = session.run();
  await settle();
  exitByItself();
  t.is(await ended, 'QEMU exited by itself (exit code 0)');
});
