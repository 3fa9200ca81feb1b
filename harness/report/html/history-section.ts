// The report's history section: what changed since the previous nightly, and the boot-time chart.
import { compareWithPrevious, defaultGrowthThreshold, type HistoryEntry, type TestKey } from '../history.ts';
import { bootTimeChartHtml, bootTimeSeries } from './boot-time-chart.ts';
import { escapeHtml } from './escape.ts';
import { duration, utcTime } from './format.ts';

export interface HistoryView {
  file: string;
  entries: HistoryEntry[];
  current: HistoryEntry;
}

/** How many runs the chart shows, this one included. */
const chartRuns = 20;

/** The comparison with the previous run and the chart; `anchorOf` links a test to its section in this report. */
export function historySectionHtml(view: HistoryView, anchorOf: (key: TestKey) => string | undefined): string {
  const c = compareWithPrevious(view.entries, view.current);
  const earlier = view.entries
    .filter((e) => e.runId !== view.current.runId && e.startedAt < view.current.startedAt)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const chart = bootTimeChartHtml(bootTimeSeries([...earlier.slice(-(chartRuns - 1)), view.current]));
  const source = `<p class="source">History: <code>${escapeHtml(view.file)}</code>, ${earlier.length} earlier run${earlier.length === 1 ? '' : 's'}.</p>`;
  if (!c.previous) {
    return `${source}<p class="empty" data-testid="comparison">No earlier nightly in the history to compare with.</p>${chart}`;
  }
  const list = (title: string, cls: string, keys: TestKey[]) =>
    `<div class="changes ${cls}"><h4>${title} (${keys.length})</h4>` +
    (keys.length === 0 ? '<p class="none">none</p>' : `<ul>${keys.map((k) => `<li>${testLink(k, anchorOf)}</li>`).join('')}</ul>`) +
    '</div>';
  const slower = c.timingsCompared
    ? c.slowerPhases.length === 0
      ? `<p class="none">No boot phase grew by more than ${defaultGrowthThreshold.ratio * 100} % and ${defaultGrowthThreshold.minMs / 1000} s.</p>`
      : '<table class="slower"><thead><tr><th>test</th><th>phase</th><th>before</th><th>now</th><th>growth</th></tr></thead><tbody>' +
        c.slowerPhases
          .map(
            (g) =>
              `<tr><td>${testLink(g, anchorOf)}</td><td>${g.phase}</td><td class="num">${duration(g.previousMs)}</td>` +
              `<td class="num">${duration(g.currentMs)}</td><td class="num">+${Math.round(((g.currentMs - g.previousMs) / g.previousMs) * 100)} %</td></tr>`,
          )
          .join('') +
        '</tbody></table>'
    : `<p class="none">Timings not compared: the previous run used ${escapeHtml(c.previous.accel)}, this one ${escapeHtml(view.current.accel)}.</p>`;
  return [
    source,
    `<p data-testid="comparison">Compared with <code>${escapeHtml(c.previous.runId)}</code>, started ${escapeHtml(utcTime(c.previous.startedAt))}:</p>`,
    '<div class="comparison">',
    list('New failures', 'new-failures', c.newFailures),
    list('Fixed', 'fixed', c.fixed),
    list('Still failing', 'still-failing', c.stillFailing),
    list('Flaky', 'flaky', c.flaky),
    ...(c.knownFailures.length ? [list('Known failures', 'known-failures', c.knownFailures)] : []),
    '</div>',
    `<h4>Slower boot phases</h4>${slower}`,
    chart,
  ].join('\n');
}

function testLink(key: TestKey, anchorOf: (key: TestKey) => string | undefined): string {
  const text = `${escapeHtml(key.scenario)} on ${escapeHtml(key.machine)}`;
  const anchor = anchorOf(key);
  return anchor ? `<a href="#${anchor}">${text}</a>` : text;
}
