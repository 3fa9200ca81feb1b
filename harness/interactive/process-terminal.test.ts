import test from 'ava';
import { constants } from 'node:os';
import { UserTerminal, cols } from './testdata/user-terminal.ts';

const longLine = 'w'.repeat(cols + 20);

/** Holds an untidy session on a pseudo-terminal; once it has ended, the shell reports its status and terminal settings. */
function untidySession(argument = '') {
  return new UserTerminal(
    `node --import tsx harness/interactive/testdata/untidy-session.ts ${argument}; echo "status $?"; printf 'settings '; stty -a | tr -s ' ;\\n' '\\n\\n\\n' | grep -xE -- '-?(icanon|echo|isig)' | sort | tr '\\n' ' '; echo; echo ${longLine}`,
  );
}

/** Whether the process is gone (and reaped) within ten seconds. */
async function gone(pid: number): Promise<boolean> {
  for (let tries = 0; tries < 100; tries++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function assertGivenBack(t: import('ava').ExecutionContext, terminal: UserTerminal) {
  await terminal.waitFor(new RegExp(`${longLine}\\r\\n`), 30);
  t.regex(terminal.shown, /\r\nsettings echo icanon isig \r\n/, 'raw mode is off: line editing, echo and Ctrl-C are back');
  t.true(terminal.screen.modes.wraparoundMode, 'autowrap is on');
  t.true(await terminal.decMode(25), 'the cursor is visible');
  t.is(terminal.screen.buffer.active.type, 'normal', 'the alternate screen is left');
  const lines = await terminal.lines();
  t.like(lines.find((l) => l.text.startsWith('w')), { text: longLine, rows: 2 }, 'a long line wraps onto the next row, in full');
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test.serial(`${signal} gives the terminal back, and the process still ends by it with its QEMU`, async (t) => {
    const terminal = untidySession();
    t.teardown(() => terminal.kill());
    const held = await terminal.waitFor(/held: pid (\d+), qemu (\d+)/, 60);
    await terminal.settled();
    t.false(terminal.screen.modes.wraparoundMode, 'the guest turned autowrap off');
    process.kill(Number(held[1]), signal);
    await assertGivenBack(t, terminal);
    t.regex(terminal.shown, new RegExp(`\\x1b\\[\\?1l\\r\\nbootproof: console ended \\(${signal}\\)\\r\\n`), 'said after the restore');
    t.regex(terminal.shown, new RegExp(`\\r\\nstatus ${128 + constants.signals[signal]}\\r\\n`), `the process ended by ${signal}`);
    t.true(await gone(Number(held[2])), 'the QEMU stand-in was killed');
  });
}

test.serial('an exit without restore gives the terminal back too', async (t) => {
  const terminal = untidySession('exit');
  t.teardown(() => terminal.kill());
  await assertGivenBack(t, terminal);
  t.regex(terminal.shown, /status 3\r\n/);
});
