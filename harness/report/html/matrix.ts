// The scenarios × machines table: one status cell per test, linked to the test's section.
import { shownStatus } from '../../results/final-status.ts';
import type { FinalTest } from '../../results/model.ts';
import { cssToken, escapeHtml } from './escape.ts';
import { duration } from './format.ts';
import { scenarioOrder, testAnchor } from './order.ts';

/** The matrix of `ordered` (tests in display order); a cell without a test reads "not run". */
export function matrixHtml(ordered: FinalTest[]): string {
  if (ordered.length === 0) return '<p class="empty">No test has recorded a result yet.</p>';
  const scenarios = [...new Set(ordered.map((t) => t.scenario))].sort(scenarioOrder);
  const machines = [...new Set(ordered.map((t) => t.machine))].sort((a, b) => a.localeCompare(b, 'en'));
  const head = `<tr><th scope="col">scenario</th>${machines.map((m) => `<th scope="col">${escapeHtml(m)}</th>`).join('')}</tr>`;
  const rows = scenarios.map((scenario) => {
    const cells = machines.map((machine) => {
      const here = ordered.flatMap((t, index) => (t.scenario === scenario && t.machine === machine ? [{ t, index }] : []));
      if (here.length === 0) return '<td class="cell none">not run</td>';
      return `<td class="cell ${cssToken(shownStatus(here[here.length - 1]!.t))}">${here.map(({ t, index }) => cellEntry(t, index)).join('')}</td>`;
    });
    return `<tr><th scope="row">${escapeHtml(scenario)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="matrix" data-testid="matrix"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function cellEntry(t: FinalTest, index: number): string {
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
