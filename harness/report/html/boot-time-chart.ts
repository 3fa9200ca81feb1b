// A small inline SVG line chart: each machine's boot time (firmware to shell) over the last runs.
import { bootTotalMs, type HistoryEntry } from '../history.ts';
import { escapeHtml } from './escape.ts';
import { duration, utcTime } from './format.ts';

export interface BootTimeSeries {
  runs: { runId: string; startedAt: string }[];
  machines: string[];
  /** values[m][r]: the median first-boot time of machine m's tests in run r, in ms (undefined: no full boot). */
  values: (number | undefined)[][];
}

const palette = ['#1f6fb4', '#c0392b', '#2e8b57', '#8e44ad', '#d35400', '#7f6000'];

/** Per machine and run, the median time from power-on to a shell over the first boots of that run's tests. */
export function bootTimeSeries(entries: HistoryEntry[]): BootTimeSeries {
  const runs = entries.map((e) => ({ runId: e.runId, startedAt: e.startedAt }));
  const machines = [...new Set(entries.flatMap((e) => e.tests.map((t) => t.machine)))].sort((a, b) => a.localeCompare(b, 'en'));
  const values = machines.map((machine) =>
    entries.map((entry) =>
      median(
        entry.tests
          .filter((t) => t.machine === machine && t.phases.userlandMs !== undefined)
          .map((t) => bootTotalMs(t.phases))
          .filter((ms): ms is number => ms !== undefined),
      ),
    ),
  );
  return { runs, machines, values };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The chart as inline SVG plus an HTML legend; the last run is drawn with larger points. */
export function bootTimeChartHtml(series: BootTimeSeries): string {
  const all = series.values.flat().filter((v): v is number => v !== undefined);
  if (all.length === 0) return '<p class="empty">No run in the history reached a shell, so there is no boot time to chart.</p>';
  const [width, height, left, right, top, bottom] = [640, 200, 52, 16, 12, 28];
  const { step, max } = axis(Math.max(...all));
  const n = series.runs.length;
  const x = (r: number) => (n === 1 ? (left + width - right) / 2 : left + (r * (width - left - right)) / (n - 1));
  const y = (ms: number) => top + (1 - ms / max) * (height - top - bottom);
  const grid = [0, 1, 2, 3, 4].map((i) => {
    const ms = i * step;
    return (
      `<line x1="${left}" x2="${width - right}" y1="${y(ms).toFixed(1)}" y2="${y(ms).toFixed(1)}" class="grid"/>` +
      `<text x="${left - 6}" y="${(y(ms) + 4).toFixed(1)}" text-anchor="end">${(ms / 1000).toFixed(step < 1000 ? 1 : 0)} s</text>`
    );
  });
  const first = series.runs[0]!;
  const last = series.runs[n - 1]!;
  const dates =
    `<text x="${left}" y="${height - 8}" text-anchor="start">${escapeHtml(utcTime(first.startedAt).slice(0, 16))}</text>` +
    (n > 1 ? `<text x="${width - right}" y="${height - 8}" text-anchor="end">${escapeHtml(utcTime(last.startedAt).slice(0, 16))}</text>` : '');
  const lines = series.machines.map((machine, m) => {
    const color = palette[m % palette.length]!;
    const values = series.values[m]!;
    let path = '';
    let pen = false;
    const points: string[] = [];
    values.forEach((ms, r) => {
      if (ms === undefined) return void (pen = false);
      path += `${pen ? 'L' : 'M'}${x(r).toFixed(1)} ${y(ms).toFixed(1)}`;
      pen = true;
      const run = series.runs[r]!;
      points.push(
        `<circle cx="${x(r).toFixed(1)}" cy="${y(ms).toFixed(1)}" r="${r === n - 1 ? 4.5 : 3}" fill="${color}">` +
          `<title>${escapeHtml(`${machine}: ${duration(ms)} — ${utcTime(run.startedAt)} — ${run.runId}`)}</title></circle>`,
      );
    });
    return `<path d="${path}" stroke="${color}" fill="none" stroke-width="2"/>${points.join('')}`;
  });
  const legend = series.machines
    .map((machine, m) => `<span class="series"><span class="swatch" style="background:${palette[m % palette.length]}"></span>${escapeHtml(machine)}</span>`)
    .join(' ');
  return (
    `<figure class="chart" data-testid="boot-chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="boot time per machine over the last ${n} runs">` +
    `${grid.join('')}${dates}${lines.join('')}</svg>` +
    `<figcaption>Median first boot to a shell per machine, last ${n} run${n === 1 ? '' : 's'} (largest point: this run). ${legend}</figcaption></figure>`
  );
}

/** A round step (1, 2 or 5 × 10^k ms) so that four steps cover `maxMs`. */
function axis(maxMs: number): { step: number; max: number } {
  const raw = Math.max(maxMs, 1) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return { step, max: step * 4 };
}
