import test from 'ava';
import { TimeScale } from '../deadline.ts';
import { Console } from '../console/console.ts';
import { Shell, marker } from './shell.ts';
import { CommandFailed } from '../errors.ts';

/** A fake busybox shell: echoes the typed line (with ash's cursor query), then runs the two echo markers. */
function fakeGuest(run: (command: string) => { output: string; status: number }) {
  let console!: Console;
  let line = '';
  console = new Console({
    time: new TimeScale('kvm'),
    failFast: [],
    typingDelayMs: 0,
    write: (data) => {
      line += data;
      if (!line.endsWith('\r')) return;
      const typed = line.slice(0, -1);
      line = '';
      setTimeout(() => {
        console.feed(typed + '\r\n');
        const m = /^echo '(\w+)''(\w+)'; (.*); echo "\w+""\w+ \$\?"$/.exec(typed);
        if (!m) return;
        const { output, status } = run(m[3]!);
        // The serial line delivers output in small chunks.
        const text = `${m[1]}${m[2]}\r\n${output}${m[1]}${m[2]} ${status}\r\nresflash(hd0d)# \x1b[6n`;
        for (let i = 0; i < text.length; i += 64) console.feed(text.slice(i, i + 64));
      }, 1);
    },
  });
  console.feed('resflash(hd0d)# ');
  return console;
}

test('execute returns output and exit status between the markers', async (t) => {
  const console = fakeGuest((c) => (c === 'cat /resflash/version' ? { output: '1\r\n', status: 0 } : { output: '', status: 127 }));
  const shell = new Shell(() => console, { typingDelayMs: 0 });
  t.deepEqual(await shell.execute('cat /resflash/version'), { status: 0, output: '1\n' });
  t.is((await shell.execute('nope')).status, 127);
});

test('succeed throws with the command, status and output; fail throws when the command succeeds', async (t) => {
  const console = fakeGuest((c) => (c === 'false' ? { output: 'oops\r\n', status: 1 } : { output: '', status: 0 }));
  const shell = new Shell(() => console, { typingDelayMs: 0 });
  const error = await t.throwsAsync(shell.succeed('false'), { instanceOf: CommandFailed });
  t.regex(error.message, /command `false` failed \(exit status 1\)\noops/);
  await t.throwsAsync(shell.fail('true'), { message: /unexpectedly succeeded/ });
});

test('markers never contain the letters of ERROR, FAIL or DONE that could be misread', (t) => {
  for (let i = 0; i < 200; i++) t.regex(marker(), /^[A-Z]{10}$/);
  t.false([...Array(200)].some(() => /[RID]/.test(marker())));
});

test('an output far longer than the console scan window, without a final newline, comes back whole', async (t) => {
  const long = 'x'.repeat(70) + '\r\n';
  const console = fakeGuest(() => ({ output: long.repeat(3000) + 'tail', status: 0 }));
  const shell = new Shell(() => console, { typingDelayMs: 0 });
  const result = await shell.execute('yes | head');
  t.is(result.status, 0);
  t.is(result.output, ('x'.repeat(70) + '\n').repeat(3000) + 'tail');
});
