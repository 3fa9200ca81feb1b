// `bootproof console` on a real terminal: the person's terminal after the session is as usable as before it.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserTerminal, cols } from './testdata/user-terminal.ts';
import { testFolder } from '../testdata/test-folder.ts';

const longLine = 'w'.repeat(cols + 20);

async function outFolder(t: import('ava').ExecutionContext): Promise<string> {
  return join(await testFolder(t, 'console'), 'session');
}

test.serial('after a SeaBIOS guest and quit, the terminal wraps again, shows its cursor and the closing line in full', async (t) => {
  const out = await outFolder(t);
  const terminal = new UserTerminal(`node bin/bootproof.js console --machine amd64-bios --out ${out}; echo "status $?"; echo ${longLine}`);
  t.teardown(() => terminal.kill());
  await terminal.waitFor(/SeaBIOS/, 120);
  await terminal.waitFor(/boot>/, 120);
  await terminal.settled();
  t.false(terminal.screen.modes.wraparoundMode, 'the guest turned autowrap off, as SeaBIOS does');

  terminal.type('\x1d');
  await terminal.waitFor(/bootproof> $/, 30);
  terminal.type('quit\r');
  await terminal.waitFor(new RegExp(`${longLine}\\r\\n`), 60);
  t.is(await terminal.exited, 0);
  t.regex(terminal.shown, /\r\nstatus 0\r\n/);

  t.true(terminal.screen.modes.wraparoundMode, 'autowrap is on');
  t.true(await terminal.decMode(25), 'the cursor is visible');
  t.is(terminal.screen.buffer.active.type, 'normal');
  const lines = await terminal.lines();
  const closing = `bootproof: console ended (quit); recorded in ${out}: console.txt, console.cast, qemu-stderr.log`;
  const shownClosing = lines.find((l) => l.text.startsWith('bootproof: console ended'));
  t.is(shownClosing?.text, closing, 'the closing line is shown in full');
  t.true(closing.length <= cols || shownClosing!.rows > 1, 'wrapped onto the next row where it is longer than the screen is wide');
  t.true(terminal.shown.indexOf('\x1b[?7h') < terminal.shown.indexOf('bootproof: console ended'), 'the terminal is restored before the closing line');
  const first = terminal.screen.buffer.active.getLine(shownClosing!.y)!.getCell(0)!;
  t.true(first.isFgDefault() && first.isBgDefault(), "the guest's colours (GRUB's black on white) are reset");
  t.like(lines.find((l) => l.text.startsWith('w')), { text: longLine, rows: 2 }, "the shell's long line wraps onto the next row");
});

test.serial('in a background process group (timeout without --foreground) console refuses at once with exit status 2', async (t) => {
  const out = await outFolder(t);
  const terminal = new UserTerminal(`timeout 60 node bin/bootproof.js console --machine amd64-bios --out ${out}; echo "status $?"`);
  t.teardown(() => terminal.kill());
  await terminal.waitFor(/status \d+\r\n/, 90);
  t.regex(terminal.shown, /bootproof: console needs the terminal's foreground: run it in the foreground \(with timeout, add --foreground\)\r\nstatus 2\r\n/);
  t.false(existsSync(out), 'nothing was started');
});

test.serial('with timeout --foreground, console owns the terminal and gets past the check', async (t) => {
  const terminal = new UserTerminal('timeout --foreground 60 node bin/bootproof.js console --machine no-such-machine; echo "status $?"');
  t.teardown(() => terminal.kill());
  await terminal.waitFor(/status \d+\r\n/, 60);
  t.notRegex(terminal.shown, /foreground/);
  t.regex(terminal.shown, /no-such-machine/, 'the next check speaks: the machine is unknown');
});
