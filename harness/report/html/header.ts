// The report's header: which run, when, where, with which accelerator, and a loud banner when it did not finish.
import type { Results } from '../../results/model.ts';
import { escapeHtml } from './escape.ts';
import { duration, utcTime } from './format.ts';

/** The run's identity and summary; an incomplete run gets a banner no reader can miss. */
export function headerHtml(results: Results): string {
  const run = results.run;
  const s = results.summary;
  const banner = run.complete
    ? ''
    : '<div class="banner incomplete" role="alert" data-testid="incomplete">INCOMPLETE: this run did not finish. ' +
      'The results below are only the tests that ended before it stopped; a missing test is not a passed one.</div>';
  const finished = run.finishedAt
    ? `${escapeHtml(utcTime(run.finishedAt))} (${duration(Date.parse(run.finishedAt) - Date.parse(run.startedAt))})`
    : 'not finished';
  const rows: [string, string][] = [
    ['run', escapeHtml(run.id)],
    ['started', escapeHtml(utcTime(run.startedAt))],
    ['finished', finished],
    ['host', escapeHtml(run.host)],
    ['accelerator', `<strong>${escapeHtml(run.accel)}</strong>${run.accelReason ? `: ${escapeHtml(run.accelReason)}` : ''}`],
    ['command', `<code>${escapeHtml(run.command)}</code>`],
  ];
  if (run.mergedFrom) rows.push(['merged from', run.mergedFrom.map((d) => `<code>${escapeHtml(d)}</code>`).join('<br>')]);
  const counts = (['passed', 'failed', 'flaky', 'skipped'] as const)
    .map((status) => `<span class="count ${status}">${s[status]} ${status}</span>`)
    .join(' ');
  const infrastructure = s.infrastructure
    ? ` <span class="count infrastructure">${s.infrastructure} could not run (host lacks QEMU, firmware or disk space: not test failures)</span>`
    : '';
  const known = s.knownFailures ? ` <span class="count known-failure">${s.knownFailures} known failure${s.knownFailures === 1 ? '' : 's'}</span>` : '';
  return [
    '<header>',
    banner,
    `<h1>bootproof report <span class="state ${run.complete ? 'complete' : 'incomplete'}">${run.complete ? 'complete' : 'INCOMPLETE'}</span></h1>`,
    `<p class="summary" data-testid="summary">${counts}${known}${infrastructure} <span class="total">of ${s.total} tests</span></p>`,
    `<dl class="run">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
    reviewHtml(results),
    '</header>',
  ].join('\n');
}

/** Known-failures entries that need a person: expired while the test still fails, or no longer failing. */
function reviewHtml(results: Results): string {
  const review = results.knownFailureReview;
  if (!review || (review.expired.length === 0 && review.nowPassing.length === 0)) return '';
  const file = results.run.knownFailures?.file ?? 'the known-failures file';
  const items = [
    ...review.expired.map((e) => `<li>${escapeHtml(e.title)}: the entry expired on ${escapeHtml(e.expires)} and the test still fails; it counts as a failure (renew or fix)</li>`),
    ...review.nowPassing.map((e) => `<li>${escapeHtml(e.title)}: passed; remove its entry (${escapeHtml(e.reason)})</li>`),
  ];
  return `<div class="banner review" data-testid="known-failures-review"><p>Entries of <code>${escapeHtml(file)}</code> to review:</p><ul>${items.join('')}</ul></div>`;
}
