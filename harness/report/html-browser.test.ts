// Opens a run folder's index.html in Debian's headless Chromium, as a person would from disk.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readPng, type Pixels } from './testdata/png-pixels.ts';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { appendHistory } from './history.ts';
import { appendRecord } from '../results/records.ts';
import type { Results, TestRecord } from '../results/model.ts';
import { writeRunInfo } from '../results/run-info.ts';
import { writeReport } from './write-report.ts';
import { testFolder } from '../testdata/test-folder.ts';

const chromiumPath = '/usr/bin/chromium';

async function launch(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install Debian's chromium (bash scripts/setup.sh does it; by hand: apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Payloads a hostile guest or a broken record could carry; each sets window.__pwned if it ever runs. */
const inject = {
  error: `<script>window.__pwned='error'</script>`,
  screen: `</pre></div><script>window.__pwned='screen'</script><img src=x onerror="window.__pwned='img'">`,
  cast: `<script>window.__pwned='cast'</script>`,
};

const testRecord = (scenario: string, machine: string, over: Partial<TestRecord>): TestRecord => {
  const folder = `tests/${scenario}--${machine}`;
  return {
    scenario, machine, title: `${scenario} on ${machine}`, image: { path: '/cache/disk.img', sha256: 'ab12' }, status: 'passed',
    startedAt: '2026-01-02T00:00:00.000Z', durationMs: 21000,
    phases: { firmwareMs: 4400, loaderMs: 3100, kernelMs: 8800, userlandMs: 700 },
    boots: [{ device: 'hd0d', version: '1', bootId: '86b44b10-571f', phases: { firmwareMs: 4400, loaderMs: 3100, kernelMs: 8800, userlandMs: 700 } }],
    steps: [{ name: 'power on and boot to a shell', durationMs: 17000, ok: true }], accel: 'tcg',
    artifacts: { transcript: `${folder}/console.txt`, cast: `${folder}/console.cast`, qemuStderr: `${folder}/qemu-stderr.log` },
    ...over,
  };
};

/** A finished nightly folder in `root`/reports with a recorded boot cast, a hostile failure and a skip, after one earlier nightly. */
async function nightlyFolder(root: string): Promise<string> {
  const dir = join(root, 'reports', 'nightly-2');
  const recorded = readFileSync(new URL('./testdata/boot-amd64-uefi.cast', import.meta.url), 'utf8');
  const hostileCast = [
    JSON.stringify({ version: 2, width: 80, height: 25 }),
    JSON.stringify([0.2, 'o', 'RESFLASH-FIXTURE: booted from hd0e\r\n']),
    JSON.stringify([0.4, 'o', `${inject.cast}\r\n${inject.screen}\r\n`]),
    JSON.stringify([0.6, 'o', `\x1b]8;;javascript:window.__pwned='osc8'\x07a link\x1b]8;;\x07 \x1b]0;<script>window.__pwned='title'</script>\x07\x1b[31mred\x1b[0m\r\n`]),
    JSON.stringify([0.8, 'o', 'Kernel panic - not syncing: hostile guest\r\n']),
  ].join('\n');
  const records = [
    testRecord('boot', 'amd64-bios', {}),
    testRecord('boot', 'amd64-uefi', {}),
    testRecord('cfg-persistence', 'amd64-uefi', { status: 'skipped', skipReason: 'no /cfg partition on this image', boots: [], steps: [], phases: {}, artifacts: {} }),
    testRecord('failover', 'amd64-uefi', {
      status: 'failed',
      error: { kind: 'WaitTimeout', message: `timed out after 60.0 s waiting for login: ${inject.error}\nlast screen:\n${inject.screen}\x1b[2J\nstream tail:\nKernel panic` },
    }),
  ];
  const casts: Record<string, string> = { 'failover--amd64-uefi': hostileCast };
  mkdirSync(dir, { recursive: true });
  await writeRunInfo(dir, { id: dir, startedAt: '2026-01-02T00:00:00.000Z', accel: 'tcg', accelReason: 'no KVM here', host: 'ci', command: 'bootproof nightly' });
  for (const r of records) {
    if (!r.artifacts.cast) continue;
    const name = `${r.scenario}--${r.machine}`;
    mkdirSync(join(dir, 'tests', name), { recursive: true });
    writeFileSync(join(dir, r.artifacts.cast), casts[name] ?? recorded);
    writeFileSync(join(dir, r.artifacts.transcript!), `console of ${name}\n`);
    writeFileSync(join(dir, r.artifacts.qemuStderr!), '# qemu-system-x86_64 -M pc\n');
  }
  for (const r of records) await appendRecord(dir, r);
  const earlier: Results = {
    run: { id: join(root, 'reports', 'nightly-1'), startedAt: '2026-01-01T00:00:00.000Z', complete: true, accel: 'tcg', host: 'ci', command: 'bootproof nightly' },
    summary: { passed: 3, failed: 0, flaky: 0, skipped: 0, infrastructure: 0, knownFailures: 0, total: 3 },
    tests: [testRecord('boot', 'amd64-bios', { phases: { firmwareMs: 2000, loaderMs: 3000, kernelMs: 8000, userlandMs: 700 } }), testRecord('boot', 'amd64-uefi', {}), testRecord('failover', 'amd64-uefi', {})],
  };
  await appendHistory(join(root, 'reports', 'history.jsonl'), earlier);
  await writeReport(dir, true);
  return dir;
}

test('the report opens from disk: matrix, failure, history, console replay, and no injected script runs', async (t) => {
  t.timeout(180_000);
  const root = await testFolder(t, 'browser');
  const dir = await nightlyFolder(root);
  const browser = await launch();
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const outside: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => {
    if (!/^(file|data|blob):/.test(request.url())) outside.push(request.url());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(pathToFileURL(join(dir, 'index.html')).href);

  const matrix = await page.$$eval('table.matrix tbody tr', (rows) =>
    rows.map((row) => [row.querySelector('th')?.textContent, ...[...row.querySelectorAll('td')].map((td) => `${td.className}: ${td.textContent}`)]),
  );
  // The failed row and machine first; cfg-persistence, where nothing ran, folded away.
  t.deepEqual(matrix, [
    ['failover', 'cell failed: failed21.0 s', 'cell none: not run'],
    ['boot', 'cell passed: passed21.0 s', 'cell passed: passed21.0 s'],
    ['cfg-persistence', 'cell skipped: skippedno /cfg partition on this image', 'cell none: not run'],
  ]);
  t.false(await page.locator('table.matrix tr', { hasText: 'cfg-persistence' }).isVisible());
  t.is(await page.locator('[data-testid=incomplete]').count(), 0, 'a finished run has no INCOMPLETE banner');

  const failure = page.locator('#test-3 [data-testid=error]');
  const failureText = (await failure.textContent()) ?? '';
  t.true(failureText.startsWith('WaitTimeout: timed out after 60.0 s waiting for login:'), failureText);
  t.true(failureText.includes(inject.error) && failureText.includes(inject.screen), 'the payloads are shown as text');
  t.true(failureText.includes('^[[2J'), 'escape sequences are shown, not obeyed');

  const comparison = (await page.locator('#history').textContent()) ?? '';
  t.regex(comparison, /New failures \(1\)failover on amd64-uefi/);
  t.regex(comparison, /Slower boot phases.*boot on amd64-biosfirmware2\.0 s4\.4 s\+120 %/s);
  t.is(await page.locator('#history svg circle').count(), 4, 'two machines, two runs');

  await page.locator('#test-1 button[data-cast]').click();
  await page.locator('#test-1 .ap-term-text').filter({ hasText: 'BusyBox' }).waitFor({ timeout: 60_000 });
  t.pass('the recorded boot replays up to the BusyBox shell');

  await page.locator('#test-3 button[data-cast]').click();
  const hostile = page.locator('#test-3 .ap-term-text');
  await hostile.filter({ hasText: 'Kernel panic - not syncing' }).waitFor({ timeout: 60_000 });
  t.true(((await hostile.textContent()) ?? '').includes(inject.cast), 'the player shows the guest\'s <script> as text');
  t.is(await page.locator('#test-3 .player a[href^="javascript:"]').count(), 0);

  t.is(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined, 'no injected script ran');
  t.deepEqual(outside, [], 'the page fetched nothing from the network');
  t.deepEqual(problems, []);

  // What a person sees of the matrix: the failed cell drawn in the failure tint with its word in it, unlike a passed one.
  const cell = async (selector: string) => readPng(await page.locator(selector).first().screenshot());
  const failed = await cell('table.matrix td.cell.failed');
  const passed = await cell('table.matrix td.cell.passed');
  const share = (pixels: Pixels, [r, g, b]: number[]) =>
    pixels.rgb.filter(([pr, pg, pb]) => Math.abs(pr - r!) + Math.abs(pg - g!) + Math.abs(pb - b!) < 12).length / pixels.rgb.length;
  t.true(share(failed, [0xfc, 0xe8, 0xe6]) > 0.5, 'the failed cell is painted in the failure tint');
  t.true(share(passed, [0xfc, 0xe8, 0xe6]) < 0.05, 'a passed cell is not');
  t.true(failed.rgb.some(([r, g, b]) => r + g + b < 300), 'the failed cell shows its text');
  t.regex(await page.locator('table.matrix td.cell.failed').first().innerText(), /^FAILED\s*21\.0 s$/, 'the cell reads FAILED and the time');
});

const machines = ['amd64-bios', 'amd64-ipxe', 'amd64-ipxe-uefi', 'amd64-uefi', 'macppc-ofw', 'mips64-uboot', 'ppc64-ofw'];
const scenarios = [
  'bad-upgrade', 'boot', 'boot-conf', 'boot-to-loader', 'boot-to-network', 'cfg-persistence', 'cfg-persistence:catches-no-cfg-overlay', 'console',
  'crash-states', 'failover', 'failover:catches-lying-rc', 'failover-to-garbage', 'firmware-settings', 'metadata', 'power-cut', 'upgrade',
];

/**
 * A CI slice's run folder: 16 scenarios on 7 machines, each scenario on two of them (most cells "not run"); nothing
 * ran on macppc-ofw nor in boot-to-network (skipped), and the one failure is upgrade on ppc64-ofw, the last machine by name.
 */
async function ciSliceFolder(root: string): Promise<string> {
  const dir = join(root, 'reports', 'test-ci');
  mkdirSync(dir, { recursive: true });
  await writeRunInfo(dir, { id: dir, startedAt: '2026-01-02T00:00:00.000Z', accel: 'tcg', accelReason: 'no KVM here', host: 'ci', command: 'bootproof nightly --slice ci' });
  const skip = { status: 'skipped' as const, skipReason: 'needs a shell; macppc-ofw boots only to the loader', boots: [], steps: [], phases: {}, artifacts: {} };
  for (const [i, scenario] of scenarios.entries()) {
    const on = scenario === 'upgrade' ? ['amd64-bios', 'ppc64-ofw'] : [machines[i % 7]!, machines[(i + 3) % 7]!];
    for (const machine of on) {
      const failed = scenario === 'upgrade' && machine === 'ppc64-ofw';
      const skipped = machine === 'macppc-ofw' || scenario === 'boot-to-network';
      await appendRecord(dir, testRecord(scenario, machine, {
        artifacts: {},
        ...(skipped ? skip : {}),
        ...(failed ? { status: 'failed', error: { kind: 'WaitTimeout', message: 'timed out after 60.0 s waiting for login:' } } : {}),
      }));
    }
  }
  await writeReport(dir, true);
  return dir;
}

for (const width of [1280, 800]) {
  test(`at ${width} px the matrix of 7 machines fits the page: failure first, headers stay in view, empty rows and columns folded`, async (t) => {
    t.timeout(120_000);
    const dir = await ciSliceFolder(await testFolder(t, 'browser'));
    const browser = await launch();
    t.teardown(() => browser.close());
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    const box = page.locator('[data-testid=matrix-box]');
    const boxRect = (await box.boundingBox())!;

    t.true(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page itself never scrolls sideways');
    const failed = page.locator('table.matrix td.cell.failed');
    const cell = (await failed.boundingBox())!;
    t.true(cell.x >= boxRect.x && cell.x + cell.width <= Math.min(width, boxRect.x + boxRect.width), `the failed cell is in view: ${JSON.stringify({ cell, boxRect })}`);
    t.is(await page.locator('table.matrix thead th').nth(1).innerText(), 'ppc64-ofw', 'the failed machine is the first column');
    t.is(await page.locator('table.matrix tbody th').first().innerText(), 'upgrade', 'the failed scenario is the first row');

    // Folded until the checkbox is ticked: the row and the column where nothing ran.
    const emptyRow = page.locator('table.matrix tbody tr', { hasText: 'boot-to-network' });
    const emptyColumn = page.locator('table.matrix thead th', { hasText: 'macppc-ofw' });
    t.false(await emptyRow.isVisible());
    t.false(await emptyColumn.isVisible());
    const toggle = page.locator('label[for=matrix-unfold]');
    t.is(await toggle.innerText(), 'show the 1 scenario and 1 machine where nothing ran');
    await toggle.click();
    t.true(await emptyRow.isVisible());
    t.true(await emptyColumn.isVisible());

    // Scrolled to its far corner, the box still shows the machines on top and the scenarios on the left.
    const overflows = await box.evaluate((el) => ({ down: el.scrollHeight > el.clientHeight, across: el.scrollWidth > el.clientWidth }));
    t.true(overflows.down, 'sixteen scenarios are taller than the box');
    if (width === 800) t.true(overflows.across, 'seven machines are wider than the box at 800 px');
    await box.evaluate((el) => (el.scrollIntoView(), el.scrollTo(el.scrollWidth, el.scrollHeight)));
    const inView = (await box.boundingBox())!;
    const seenAt = (x: number, y: number) => page.evaluate(([px, py]) => document.elementFromPoint(px!, py!)?.closest('th')?.innerText ?? '', [x, y]);
    const machineHead = page.locator('table.matrix thead th').last();
    const head = (await machineHead.boundingBox())!;
    t.true(Math.abs(head.y - inView.y) <= 2, `the machine row stays at the top of the box: ${head.y} vs ${inView.y}`);
    t.is(await seenAt(head.x + head.width / 2, head.y + head.height / 2), await machineHead.innerText(), 'and is drawn over the cells');
    const scenarioHead = page.locator('table.matrix tbody th').last();
    const row = (await scenarioHead.boundingBox())!;
    t.true(Math.abs(row.x - inView.x) <= 2, `the scenario column stays at the left of the box: ${row.x} vs ${inView.x}`);
    t.is(await seenAt(row.x + 10, row.y + row.height / 2), await scenarioHead.innerText(), 'and is drawn over the cells');
  });
}
