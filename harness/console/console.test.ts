import test from 'ava';
import { TimeScale } from '../deadline.ts';
import { Console, type FailFastPattern } from './console.ts';
import { FailFast, QemuExited, WaitTimeout } from '../errors.ts';

function makeConsole(failFast: FailFastPattern[] = []) {
  const typed: string[] = [];
  const console = new Console({ write: (d) => typed.push(d), time: new TimeScale('kvm'), failFast, typingDelayMs: 0 });
  return { console, typed };
}

// Recorded from the fixture on SeaBIOS (escape sequences as the pty delivered them).
const seabiosBoot =
  '\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n\r\n\r\n' +
  'Booting from Hard Disk...\r\nresflash-fixture boot: device hd0d (from /etc/boot.conf)\r\n' +
  'press ESC within 3 seconds for the boot> prompt\r\n';

test('a stream match needs no trailing newline and moves the cursor past it', async (t) => {
  const { console } = makeConsole();
  console.feed(seabiosBoot + 'boot> ');
  const first = await console.waitFor(/^boot> /m, { timeoutMs: 100 });
  t.is(first.text, 'boot> ');
  const again = console.waitFor(/^boot> /m, { timeoutMs: 50 });
  await t.throwsAsync(again, { instanceOf: WaitTimeout }, 'the prompt was matched once; "the boot> prompt" in the banner is not a prompt');
});

test('a pattern cut across chunks and escape sequences still matches', async (t) => {
  const { console } = makeConsole();
  const wait = console.waitFor('SeaBIOS (version 1.16.2', { timeoutMs: 1000 });
  for (const chunk of seabiosBoot.match(/[\s\S]{1,3}/g)!) console.feed(chunk);
  t.is((await wait).text, 'SeaBIOS (version 1.16.2');
});

test('named outcomes: the earliest match after the cursor wins', async (t) => {
  const { console } = makeConsole();
  console.feed('login: ... boot> ');
  const result = await console.waitForAny({ prompt: /boot> /, login: /login: / }, { timeoutMs: 100 });
  t.is(result.outcome, 'login');
});

test('a soft timeout resolves with the outcome "timeout"', async (t) => {
  const { console } = makeConsole();
  const result = await console.waitForAny({ prompt: /boot> / }, { timeoutMs: 20, softTimeout: true });
  t.is(result.outcome, 'timeout');
});

test('a timeout names what was awaited and shows the last screen and the stream tail', async (t) => {
  const { console } = makeConsole();
  console.feed(seabiosBoot);
  const error = await t.throwsAsync(console.waitFor(/resflash\(hd0d\)# /, { timeoutMs: 30 }), { instanceOf: WaitTimeout });
  t.true(error.message.startsWith('timed out after 0.0 s waiting for /resflash\\(hd0d\\)# / on the stream\n'), error.message);
  t.regex(error.message, /--- last screen ---\n[\s\S]*press ESC within 3 seconds/);
  t.regex(error.message, /--- stream tail ---\n[\s\S]*Booting from Hard Disk/);
});

test('a fail-fast pattern ends the wait at once with its description and line', async (t) => {
  const { console } = makeConsole([{ name: 'kernel panic', regex: /Kernel panic - not syncing[^\n]*/ }]);
  const wait = console.waitFor(/# /, { timeoutMs: 5000 });
  console.feed('[    2.1] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n');
  const error = await t.throwsAsync(wait, { instanceOf: FailFast });
  t.is(error.description, 'kernel panic');
  t.regex(error.line, /Unable to mount root fs/);
});

test('a wait can allow a fail-fast pattern it expects', async (t) => {
  const { console } = makeConsole([{ name: 'boot stage failure', regex: /resflash-fixture boot: FAIL: [^\n]*/ }]);
  console.feed('resflash-fixture boot: FAIL: cannot boot hd0e\r\nboot> ');
  const match = await console.waitFor(/FAIL: ([^\n]*)/, { timeoutMs: 100, allow: ['boot stage failure'] });
  t.is(match.captures[0], 'cannot boot hd0e');
});

test('QEMU exiting rejects pending waits at once, but text already received still matches', async (t) => {
  const { console } = makeConsole();
  console.feed('reboot: Power down\r\n');
  const pending = console.waitFor(/never printed/, { timeoutMs: 5000 });
  console.end(0, 9);
  const error = await t.throwsAsync(pending, { instanceOf: QemuExited });
  t.regex(error.message, /QEMU exited \(code 0, signal 9\) while waiting for \/never printed\/ on the stream/);
  t.is((await console.waitFor('Power down', { timeoutMs: 10 })).text, 'Power down');
});

test('the screen view sees what cursor movement draws', async (t) => {
  const { console } = makeConsole();
  console.feed('0 > \x1b7\x1b[?25ls\x1b8\x1b[?25h\x1b[2;1Hsecond row');
  const match = await console.waitFor(/second row/, { view: 'screen', timeoutMs: 500 });
  t.is(match.text, 'second row');
  t.regex(console.screenText(), /^0 > s\nsecond row$/);
});

test('sendLine with echo waits for the echo before pressing Enter', async (t) => {
  const { console, typed } = makeConsole();
  console.feed('boot> ');
  const sending = console.sendLine('set device hd0e', { echo: true });
  await new Promise((r) => setTimeout(r, 20));
  t.false(typed.includes('\r'), 'no Enter before the echo');
  console.feed('set device hd0e');
  await sending;
  t.is(typed.join(''), 'set device hd0e\r');
});

test('sendLine with echo never types more than 8 characters ahead of the echo', async (t) => {
  // A prompt that echoes each key some milliseconds after it arrives and loses a key when 15 are waiting, as
  // SeaBIOS's keyboard buffer does.
  const echoed: string[] = [];
  let waiting = 0;
  let most = 0;
  const console = new Console({
    write: (data) => {
      if (data === '\r') return;
      for (const char of data) {
        waiting++;
        most = Math.max(most, waiting);
        setTimeout(() => {
          waiting--;
          if (most < 15) echoed.push(char), console.feed(char);
        }, 3);
      }
    },
    time: new TimeScale('kvm'),
    failFast: [],
    typingDelayMs: 0,
  });
  console.feed('iPXE> ');
  const line = 'set a rf.metadata=http://10.0.2.2:39395/conf quiet';
  await console.sendLine(line, { echo: true });
  t.is(echoed.join(''), line);
  t.true(most <= 8, `${most} keys were waiting for their echo at once`);
});

test('sendKeys types named keys', async (t) => {
  const { console, typed } = makeConsole();
  console.feed('x');
  await console.sendKeys('escape', 'ctrl-c', 'enter');
  t.is(typed.join(''), '\x1b\x03\r');
  await t.throwsAsync(console.sendKeys('F12'), { message: /unknown key "F12"/ });
});

// A curses dialog drawn in three bursts, as an installer's menu arrives over a slow serial line.
const dialogTitle = '\x1b[2J\x1b[H\x1b[5;20H\x1b[7m[!!] Select a language \x1b[0m';
const dialogBody = '\x1b[7;20HChoose the language used for installation:\x1b[9;24HEnglish\x1b[10;24HFrench';
const dialogButtons = '\x1b[12;20H<Go Back>';

test('a screen wait with settleMs matches the dialog once fully drawn, not while only its title row is', async (t) => {
  const { console } = makeConsole();
  const plain = console.waitFor(/Select a language/, { view: 'screen', timeoutMs: 2000 });
  const settled = console.waitFor(/Select a language/, { view: 'screen', settleMs: 150, timeoutMs: 5000 });
  const seen: string[] = [];
  void plain.then(() => seen.push(console.screenText()));
  void settled.then(() => seen.push(console.screenText()));
  console.feed(dialogTitle);
  await plain;
  console.feed(dialogBody);
  await console.flushed();
  console.feed(dialogButtons);
  await settled;
  t.notRegex(seen[0]!, /English/, 'without settleMs the wait matches the title row alone');
  t.regex(seen[1]!, /\[!!\] Select a language[\s\S]*English\n[\s\S]*French[\s\S]*<Go Back>/, 'with settleMs the whole dialog is on the screen');
});

test('a stream wait resolves as its text arrives; once flushed() resolves, screenText shows everything received', async (t) => {
  const { console } = makeConsole();
  const wait = console.waitFor('press ESC within 3 seconds');
  for (const chunk of seabiosBoot.match(/[\s\S]{1,7}/g)!) console.feed(chunk);
  await wait;
  await console.flushed();
  t.regex(console.screenText(), /press ESC within 3 seconds for the boot> prompt$/);
  console.feed('boot> ');
  await console.flushed();
  t.regex(console.screenText(), /\nboot> ?$/, 'flushed() waits for the screen to parse what was fed');
});
