import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cssToken, escapeHtml, relativeHref, scriptJson } from './html/escape.ts';
import { embeddableCast } from './html/cast-embed.ts';
import { reportPage, type PageAssets } from './html/page.ts';
import { duration } from './html/format.ts';
import type { FinalTest, Results, TestRecord } from '../results/model.ts';
import { appendRecord } from '../results/records.ts';
import { newRunInfo, writeRunInfo } from '../results/run-info.ts';
import { writeReport } from './write-report.ts';
import { testFolder } from '../testdata/test-folder.ts';

const record = (over: Partial<TestRecord>): TestRecord => ({
  scenario: 'boot', machine: 'amd64-bios', title: 'boot on amd64-bios', image: { path: '/x/disk.img', sha256: 'ab' },
  status: 'passed', startedAt: '2026-01-01T00:00:00Z', durationMs: 1500,
  phases: { firmwareMs: 500, loaderMs: 300, kernelMs: 900, userlandMs: 100 }, boots: [], steps: [], accel: 'tcg', artifacts: {}, ...over,
});

const results = (tests: FinalTest[], complete = true): Results => ({
  run: { id: 'r1', startedAt: '2026-01-01T00:00:00Z', complete, accel: 'tcg', accelReason: 'no KVM', host: 'h', command: 'bootproof nightly' },
  summary: {
    passed: tests.filter((t) => t.status === 'passed').length, failed: tests.filter((t) => t.status === 'failed').length,
    flaky: tests.filter((t) => t.status === 'flaky').length, skipped: tests.filter((t) => t.status === 'skipped').length, infrastructure: 0, knownFailures: 0, total: tests.length,
  },
  tests,
});

const assets: PageAssets = { playerJs: 'window.AsciinemaPlayer = {};', playerCss: '', pageJs: 'void 0;', pageCss: '' };
const page = (r: Results, cast: { text: string } | { missing: string } = { missing: 'none' }) =>
  reportPage({ results: r, filesOf: () => ({ present: new Set(), cast }), assets });

const evil = `<script>window.pwned=1</script></script><!-- \x1b[31m" onmouseover="x' &amp;`;

test('escapeHtml leaves no markup and shows control characters in caret notation', (t) => {
  t.is(escapeHtml('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
  t.is(escapeHtml(`"'&`), '&quot;&#39;&amp;');
  t.is(escapeHtml('\x1b[31mred\x07\r\n\tx\x7f\x9b'), '^[[31mred^G\r\n\tx^?\\x9b');
  t.notRegex(escapeHtml(evil), /[<>"']/);
});

test('scriptJson cannot end its <script> element or open a comment, and parses back to the same text', (t) => {
  const json = scriptJson(evil + '\u2028');
  t.notRegex(json, /[<>&\u2028]/);
  t.is(JSON.parse(json), evil + '\u2028');
});

test('relativeHref encodes each segment, so a path cannot become a javascript: URL', (t) => {
  t.is(relativeHref('tests/boot--amd64-bios/console.txt'), 'tests/boot--amd64-bios/console.txt');
  t.is(relativeHref('tests/a b#?/x.txt'), 'tests/a%20b%23%3F/x.txt');
  t.is(relativeHref('javascript:alert(1)'), 'javascript%3Aalert(1)');
  t.is(cssToken('failed" onclick="x'), 'failed--onclick--x');
});

test('the page runs only its own scripts: text from the guest and the records never adds a <script> element', (t) => {
  const html = page(
    results([
      record({ scenario: evil, machine: evil, title: evil, status: 'failed', error: { kind: evil, message: `${evil}\nlast screen:\n${evil}` } }),
      record({ status: 'skipped', skipReason: evil, steps: [{ name: evil, durationMs: 5, ok: false }] }),
      record({
        machine: 'm2',
        boots: [{ device: evil, version: evil, bootId: evil, requestedDevice: evil, witnesses: { loader: evil, kernelRoot: { source: evil, device: evil }, image: evil }, phases: {} }],
      }),
    ]),
    { text: `{"version":2,"width":80,"height":25}\n[0.1, "o", ${JSON.stringify(evil)}]\n` },
  );
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  t.is(scripts.length, 4, 'a cast for each of the two tests that ran, the player and the page code');
  t.deepEqual(scripts.slice(2), ['<script>', '<script>']);
  for (const tag of scripts.slice(0, 2)) t.regex(tag, /^<script type="application\/json" id="cast-\d">$/);
  t.false(html.includes('window.pwned=1</script>'));
  t.true(html.includes('&lt;script&gt;window.pwned=1&lt;/script&gt;'), 'the text is shown, escaped');
  t.notRegex(html, /onmouseover="/);
});

test('the policy allows only the two inlined scripts, by hash, and no network', (t) => {
  const html = page(results([record({})]));
  const policy = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
  t.regex(policy, /default-src 'none'/);
  t.regex(policy, /script-src 'sha256-[^']+' 'sha256-[^']+' 'wasm-unsafe-eval';/);
  t.notRegex(policy, /unsafe-inline'[^;]*script|script-src[^;]*unsafe-inline/);
});

test('an incomplete run gets the loud banner; a complete one does not', (t) => {
  t.regex(page(results([record({})], false)), /class="banner incomplete"[^>]*>INCOMPLETE/);
  t.notRegex(page(results([record({})], true)), /class="banner incomplete"/);
});

test('the matrix has a row per scenario and a column per machine, failures first; a skip shows its reason, an empty cell says not run', (t) => {
  const html = page(
    results([
      record({}),
      record({ machine: 'amd64-uefi', status: 'failed', error: { kind: 'WaitTimeout', message: 'timed out waiting for boot>' } }),
      record({ scenario: 'failover', status: 'skipped', skipReason: 'needs two roots' }),
      record({ scenario: 'failover:catches-ignore-set-device', status: 'flaky' }),
    ]),
  );
  const matrix = /<table class="matrix".*?<\/table>/s.exec(html)?.[0] ?? '';
  const rows = [...matrix.matchAll(/<tr( class="folded")?><th scope="row">(.*?)<\/th>/g)].map((m) => `${m[2]!.replace(/<[^>]*>/g, '')}${m[1] ? ' (folded)' : ''}`);
  t.deepEqual(rows, ['boot', 'failover:catches-ignore-set-device', 'failover (folded)'], 'the failure, the flaky test, then the rest; nothing ran in failover');
  t.regex(matrix, /<th scope="col" class="machine">amd64-uefi<\/th><th scope="col" class="machine">amd64-bios<\/th>/);
  t.regex(matrix, /<td class="cell failed"><a [^>]*title="timed out waiting for boot&gt;"/);
  t.regex(matrix, /class="reason">needs two roots</);
  t.regex(matrix, /class="status flaky">flaky</);
  t.is(matrix.match(/not run/g)?.length, 2);
  t.regex(html, /<input type="checkbox" id="matrix-unfold" class="unfold"><label for="matrix-unfold" class="unfold">show the 1 scenario where nothing ran<\/label><div class="matrix-box"/);
  t.regex(html, /<section id="failures">.*timed out waiting for boot&gt;/s);
});

test('a matrix where every row and column ran has nothing to fold', (t) => {
  const html = page(results([record({}), record({ machine: 'amd64-uefi' })]));
  t.notRegex(html, /class="folded"|matrix-unfold/);
});

test('a failure shows its message on top of its section, before the timeline', (t) => {
  const html = page(results([record({ status: 'failed', error: { kind: 'WaitTimeout', message: 'timed out waiting for login:\nlast screen:\nboot>' } })]));
  const section = /<article .*?<\/article>/s.exec(html)?.[0] ?? '';
  t.true(section.indexOf('data-testid="error"') < section.indexOf('data-testid="timeline"'));
  t.regex(section, /<strong>WaitTimeout<\/strong>: timed out waiting for login:<\/p><pre>last screen:\nboot&gt;<\/pre>/);
});

test('a cast line cut by a crash is dropped; a cast without a header or too large is not embedded', (t) => {
  const cast = '{"version":2,"width":80,"height":25}\n[0.5, "o", "boot>"]\n[0.7, "o", "cut';
  t.deepEqual(embeddableCast(cast, cast.length), { text: '{"version":2,"width":80,"height":25}\n[0.5, "o", "boot>"]\n' });
  t.true('missing' in embeddableCast('[0.5, "o", "x"]\n', 16));
  t.regex((embeddableCast('', 5e7) as { missing: string }).missing, /too large/);
});

test('a flaky test shows the failed attempt that made it flaky, in its cell and in its section', (t) => {
  const html = page(
    results([
      {
        ...record({ status: 'flaky', attempt: 2 }),
        earlierAttempts: [{ attempt: 1, status: 'failed', error: { kind: 'WaitTimeout', message: 'timed out waiting for boot>\nlast screen:' }, artifacts: {} }],
      },
    ]),
  );
  t.regex(html, /title="passed on a retry; attempt 1 failed: timed out waiting for boot&gt;"/);
  t.regex(html, /<details class="attempts" data-testid="attempts" open><summary>1 earlier attempt<\/summary>.*attempt 1 .*<pre>WaitTimeout: timed out waiting for boot&gt;\nlast screen:<\/pre>/s);
});

test('durations read as seconds, then minutes', (t) => {
  t.is(duration(4356), '4.4 s');
  t.is(duration(103264), '1 min 43 s');
  t.is(duration(5_400_000), '1 h 30 min');
});

test('writeReport writes index.html beside results.json, with the cast embedded and the artefacts linked', async (t) => {
  const dir = join(await testFolder(t, 'html'), 'run');
  mkdirSync(join(dir, 'tests/boot--amd64-bios'), { recursive: true });
  writeFileSync(join(dir, 'tests/boot--amd64-bios/console.cast'), readFileSync(new URL('./testdata/boot-amd64-uefi.cast', import.meta.url)));
  writeFileSync(join(dir, 'tests/boot--amd64-bios/console.txt'), 'boot>\n');
  await writeRunInfo(dir, newRunInfo('r1', 'tcg', 'test', 'bootproof run'));
  await appendRecord(dir, record({ artifacts: { transcript: 'tests/boot--amd64-bios/console.txt', cast: 'tests/boot--amd64-bios/console.cast', qemuStderr: 'tests/boot--amd64-bios/qemu-stderr.log' } }));
  await writeReport(dir, false);
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  t.regex(html, /<a href="tests\/boot--amd64-bios\/console.txt"/);
  t.regex(html, /qemu-stderr.log: missing/);
  t.regex(html, /<script type="application\/json" id="cast-0">"\{\\"version\\":2/);
  t.regex(html, /AsciinemaPlayer/);
  t.notRegex(html, /<(link|img|iframe)\b|\bsrc="http/i, 'nothing is loaded from elsewhere');
});

test('what the harness typed at the firmware prompt is shown per boot, with what the firmware keeps', (t) => {
  const boots = [
    { start: 'power-on' as const, firmware: { typed: ['setenv autoload no', 'tftpboot 0x88000000 initrd.cpio.gz'], persistence: 'none' as const }, phases: {} },
    { start: 'reboot' as const, phases: {} },
  ];
  const html = page(results([{ ...record({ machine: 'mips64-uboot', boots }), attempts: [] } as FinalTest]));
  t.regex(html, /boot 1: <code>setenv autoload no<\/code>, <code>tftpboot 0x88000000 initrd.cpio.gz<\/code> \(the firmware keeps nothing: the harness types it at every boot\)/);
  t.notRegex(html, /boot 2:/);
});

test('each boot shows its witnesses: the loader, the kernel\'s mounted root and the image\'s own report', (t) => {
  const boots = [
    { device: 'hd0e', witnesses: { loader: 'hd0e', kernelRoot: { source: '/dev/vda6', device: 'hd0e' }, image: 'hd0e' }, phases: {} },
    { witnesses: { loader: 'hd0d', kernelRoot: { source: '/dev/vda5', device: 'hd0d' }, image: 'hd0e' }, phases: {} },
    { device: 'hd0d', phases: {} },
  ];
  const html = page(results([record({ boots })]));
  t.regex(html, /<td>hd0e<\/td><td><span data-testid="witnesses">loader hd0e · kernel \/dev\/vda6 \(hd0e\) · image hd0e<\/span><\/td>/);
  t.regex(html, /<td>\?<\/td><td><span data-testid="witnesses">loader hd0d · kernel \/dev\/vda5 \(hd0d\) · image hd0e<\/span>/, 'a boot whose witnesses disagree shows all of them');
  t.regex(html, /<td>hd0d<\/td><td>—<\/td>/, 'a boot recorded without witnesses says so');
});

test('a failed test says how to reproduce it by hand: the kept VM first, else a run that keeps it; a passed test does not', (t) => {
  const failed = { status: 'failed' as const, error: { kind: 'Error', message: 'x' } };
  const kept = page(results([record({ ...failed, kept: { checkpoint: 'tests/boot--amd64-bios/kept-vm', attach: 'npx bootproof console --attach /r/tests/boot--amd64-bios/kept-vm' } })]));
  t.regex(kept, /data-testid="reproduce".*<pre>npx bootproof console --attach \/r\/tests\/boot--amd64-bios\/kept-vm {4}# the VM as it stood at the failure/s);
  t.regex(kept, /npx bootproof run --machine amd64-bios --scenario boot\n/);
  const plain = page(results([record(failed)]));
  t.regex(plain, /npx bootproof run --machine amd64-bios --scenario boot --keep-on-failure\nnpx bootproof console --machine amd64-bios --image \/x\/disk\.img/);
  t.notRegex(page(results([record({})])), /data-testid="reproduce"/);
});

test("a test's detail says which shared state it started from and which test built that state's checkpoint", (t) => {
  const restored = page(results([record({ startedFrom: { state: 'upgraded', how: 'restored', builtBy: 'failover on amd64-bios' } })]));
  t.regex(restored, /data-testid="started-from">Started from the state <strong>upgraded<\/strong>, resumed from the checkpoint that <em>failover on amd64-bios<\/em> saved/);
  const built = page(results([record({ startedFrom: { state: 'upgraded', how: 'built', builtBy: 'boot on amd64-bios', base: { state: 'shell', how: 'restored', builtBy: 'upgrade on amd64-bios' } } })]));
  t.regex(built, /the state <strong>upgraded<\/strong>, booted to by this test, which saved it for the later tests; it reached it from the state <strong>shell<\/strong>, resumed from the checkpoint that <em>upgrade on amd64-bios<\/em> saved/);
  const fresh = page(results([record({ startedFrom: { state: 'shell', how: 'booted', note: 'restoring the shared checkpoint failed: x' } })]));
  t.regex(fresh, /the state <strong>shell<\/strong>, booted to by this test \(restoring the shared checkpoint failed: x\)/);
  t.notRegex(page(results([record({})])), /data-testid="started-from"/);
});
