import test from 'ava';
import { AnsiStripper, stripAnsi } from './ansi.ts';

test('removes CSI, OSC, save/restore cursor, charset designators and carriage returns', (t) => {
  const raw = '\x1b[2J\x1b[?25lboot> \x1b7typed\x1b8\x1b]0;title\x07\x1b(Bdone\r\n\x1b[6n';
  t.is(stripAnsi(raw), 'boot> typeddone\n');
});

test('keeps newlines and tabs, drops other control characters', (t) => {
  t.is(stripAnsi('a\tb\x07c\x08\r\nd'), 'a\tbc\nd');
});

test('carries an escape sequence cut between chunks over to the next chunk', (t) => {
  const s = new AnsiStripper();
  t.is(s.push('SeaBIOS\x1b['), 'SeaBIOS');
  t.is(s.push('1;3'), '');
  t.is(s.push('1m (version'), ' (version');
});

test('an OSC ended by ESC backslash is removed whole', (t) => {
  t.is(stripAnsi('x\x1b]2;hi\x1b\\y'), 'xy');
});
