// The scenarios × machines table: one status cell per test, linked to the test's section. Rows and columns with a
// failure come first; those where nothing ran are folded away behind a checkbox (CSS only, the page needs no script).
import { shownStatus } from '../../results/final-status.ts';
import type { FinalTest } from '../../results/model.ts';
import { cssToken, escapeHtml } from './escape.ts';
import { duration } from './format.ts';
import { scenarioOrder, testAnchor } from './order.ts';

interface Placed {
  t: FinalTest;
  index: number;
}

/** The matrix of `ordered` (tests in display order); a cell without a test reads "not run". */
export function matrixHtml(ordered: FinalTest[]): string {
  if (ordered.length === 0) return '<p class="empty">No test has recorded a result yet.</p>';
  const placed = ordered.map((t, index) => ({ t, index }));
  const of = (key: 'scenario' | 'machine', value: string) => placed.filter(({ t }) => t[key] === value).map(({ t }) => t);
  const scenarios = [...new Set(ordered.map((t) => t.scenario))].sort((a, b) => urgency(of('scenario', a)) - urgency(of('scenario', b)) || scenarioOrder(a, b));
  const machines = [...new Set(ordered.map((t) => t.machine))].sort(
    (a, b) => urgency(of('machine', a)) - urgency(of('machine', b)) || a.localeCompare(b, 'en'),
  );
  const foldedRows = new Set(scenarios.filter((s) => !ran(of('scenario', s))));
  const foldedColumns = new Set(machines.filter((m) => !ran(of('machine', m))));
  const fold = (machine: string) => (foldedColumns.has(machine) ? ' folded' : '');

  const head = `<tr><th scope="col">scenario</th>${machines.map((m) => `<th scope="col" class="machine${fold(m)}">${escapeHtml(m)}</th>`).join('')}</tr>`;
  const rows = scenarios.map((scenario) => {
    const cells = machines.map((machine) => {
      const here = placed.filter(({ t }) => t.scenario === scenario && t.machine === machine);
      if (here.length === 0) return `<td class="cell none${fold(machine)}">not run</td>`;
      return `<td class="cell ${cssToken(shownStatus(here[here.length - 1]!.t))}${fold(machine)}">${here.map(cellEntry).join('')}</td>`;
    });
    return `<tr${foldedRows.has(scenario) ? ' class="folded"' : ''}><th scope="row">${scenarioName(scenario)}</th>${cells.join('')}</tr>`;
  });
  const table = `<table class="matrix" data-testid="matrix"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
  const box = `<div class="matrix-box" data-testid="matrix-box" tabindex="0" role="region" aria-label="scenarios × machines">${table}</div>`;
  return unfoldToggle(foldedRows.size, foldedColumns.size) + box;
}

/** The checkbox that shows the folded rows and columns; the stylesheet hides `.folded` while it is unchecked. */
function unfoldToggle(rows: number, columns: number): string {
  if (rows + columns === 0) return '';
  const what = [rows ? plural(rows, 'scenario') : '', columns ? plural(columns, 'machine') : ''].filter(Boolean).join(' and ');
  return `<input type="checkbox" id="matrix-unfold" class="unfold"><label for="matrix-unfold" class="unfold">show the ${what} where nothing ran</label>`;
}

/** "failover:catches-lying-rc" breaks after the colon only. */
function scenarioName(scenario: string): string {
  return scenario.split(/(?<=:)/).map((part) => `<span class="name">${escapeHtml(part)}</span>`).join('');
}

/** Failures first, then flaky tests, then known failures, then the rest. */
function urgency(tests: FinalTest[]): number {
  if (tests.some((t) => t.status === 'failed' && !t.knownFailure)) return 0;
  if (tests.some((t) => t.status === 'flaky')) return 1;
  if (tests.some((t) => t.knownFailure)) return 2;
  return 3;
}

/** Whether a test of these ran (a skip did not). */
const ran = (tests: FinalTest[]) => tests.some((t) => t.status !== 'skipped');

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function cellEntry({ t, index }: Placed): string {
  const why = t.knownFailure
    ? `known failure: ${t.knownFailure.reason} (expires ${t.knownFailure.expires}); ${firstLine(t.error)}`
    : t.status === 'skipped' ? (t.skipReason ?? '') : t.status === 'failed' ? firstLine(t.error) : t.status === 'flaky' ? flakyWhy(t) : t.title;
  const note = t.knownFailure?.reason ?? (t.status === 'skipped' ? t.skipReason : undefined);
  const reason = note ? `<span class="reason">${escapeHtml(note)}</span>` : '';
  const time = t.status === 'skipped' ? '' : `<span class="time">${duration(t.durationMs)}</span>`;
  return (
    `<a class="entry" href="#${testAnchor(index)}" title="${escapeHtml(why)}" data-status="${cssToken(shownStatus(t))}">` +
    `<span class="status ${cssToken(shownStatus(t))}">${escapeHtml(shownStatus(t))}</span>${time}${reason}</a>`
  );
}

const firstLine = (error: FinalTest['error']) => error?.message.split('\n')[0] ?? '';

function flakyWhy(t: FinalTest): string {
  const failed = t.earlierAttempts?.find((a) => a.status === 'failed');
  return failed ? `passed on a retry; attempt ${failed.attempt} failed: ${firstLine(failed.error)}` : 'passed on a retry';
}
