import test from 'ava';
import xterm from '@xterm/headless';
import { TerminalRestore, leaveAlternateScreen, restoreBytes } from './terminal-restore.ts';

/** SeaBIOS's and GRUB's opening bytes on the serial line, as the amd64-bios fixture shows them. */
const seabiosAndGrub = '\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2)\r\r\n\x1b[0;30;47mWelcome to GRUB!\r\n';
/** A guest that leaves everything changed: hidden cursor, line drawing set shifted in, a scroll region, keypad modes. */
const untidyGuest = '\x1b[?25l\x1b)0\x0e\x1b[5;10r\x1b=\x1b[?1h\x1b[1;31m';

function emulator() {
  const screen = new xterm.Terminal({ cols: 40, rows: 12, allowProposedApi: true });
  const show = (data: string) => new Promise<void>((resolve) => screen.write(data, resolve));
  const decMode = (mode: number) =>
    new Promise<boolean>((resolve) => {
      const listener = screen.onData((answer) => {
        const m = new RegExp(`\\x1b\\[\\?${mode};(\\d)\\$y`).exec(answer);
        if (m) (listener.dispose(), resolve(m[1] === '1'));
      });
      screen.write(`\x1b[?${mode}$p`);
    });
  return { screen, show, decMode };
}

test('the restore bytes, exactly', (t) => {
  t.is(new TerminalRestore().sequence(), '\x1b(B\x0f\x1b[0m\x1b7\x1b[r\x1b8\x1b[?7h\x1b[?25h\x1b>\x1b[?1l');
  t.deepEqual(restoreBytes, {
    characterSet: '\x1b(B\x0f',
    attributes: '\x1b[0m',
    scrollRegion: '\x1b7\x1b[r\x1b8',
    autowrap: '\x1b[?7h',
    cursorVisible: '\x1b[?25h',
    keypad: '\x1b>\x1b[?1l',
  });
  t.is(leaveAlternateScreen, '\x1b[?1049l');
});

test('after a guest changed every mode, the restore bytes give a terminal a shell can use, the cursor where it was', async (t) => {
  const { screen, show, decMode } = emulator();
  const restore = new TerminalRestore();
  for (const chunk of [seabiosAndGrub, untidyGuest, 'boot> ']) {
    restore.watch(chunk);
    await show(chunk);
  }
  t.false(screen.modes.wraparoundMode, 'the guest turned autowrap off');
  t.false(await decMode(25), 'the guest hid the cursor');
  const cursor = { x: screen.buffer.active.cursorX, y: screen.buffer.active.cursorY };

  await show(restore.sequence());
  t.true(screen.modes.wraparoundMode, 'autowrap is on');
  t.true(await decMode(25), 'the cursor is visible');
  t.false(screen.modes.applicationKeypadMode);
  t.false(screen.modes.applicationCursorKeysMode);
  t.is(screen.buffer.active.type, 'normal');
  t.deepEqual({ x: screen.buffer.active.cursorX, y: screen.buffer.active.cursorY }, cursor, 'the cursor did not move');

  await show('\r\n' + 'x'.repeat(50) + '\r\nqx\r\n');
  const row = (y: number) => screen.buffer.active.getLine(y)!;
  t.is(row(cursor.y + 1).translateToString(true), 'x'.repeat(40), 'a long line fills the row');
  t.true(row(cursor.y + 2).isWrapped, 'and wraps onto the next');
  t.is(row(cursor.y + 2).translateToString(true), 'x'.repeat(10));
  t.is(row(cursor.y + 3).translateToString(true), 'qx', 'letters are letters again, not line drawing');
  const cell = row(cursor.y + 3).getCell(0)!;
  t.true(cell.isFgDefault() && cell.isBgDefault() && !cell.isBold(), 'no colour or bold is left on');
  await show('\r\n'.repeat(15) + 'bottom');
  t.is(screen.buffer.active.cursorY, 11, 'the whole screen scrolls, not the guest\'s region');
});

test('the alternate screen is left only when the guest entered it, even when the sequence is split between chunks', async (t) => {
  const restore = new TerminalRestore();
  t.false(restore.sequence().includes(leaveAlternateScreen), 'not on the alternate screen: no switch');
  restore.watch('menu\x1b[?10');
  restore.watch('49h\x1b[2J');
  t.true(restore.sequence().startsWith(leaveAlternateScreen));
  restore.watch('\x1b[?1049l back');
  t.false(restore.sequence().includes(leaveAlternateScreen), 'the guest left it itself');
  restore.watch('\x1b[?47h');
  t.true(restore.sequence().startsWith(leaveAlternateScreen));
  restore.watch('\x1bc');
  t.false(restore.sequence().includes(leaveAlternateScreen), 'a full reset leaves it too');

  const { screen, show } = emulator();
  await show('\x1b[?1049hfull-screen menu');
  await show(`${leaveAlternateScreen}${restoreBytes.autowrap}`);
  t.is(screen.buffer.active.type, 'normal');
});
