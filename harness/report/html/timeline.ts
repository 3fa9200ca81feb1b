// The first boot's phases as one bar (firmware, loader, kernel, userland), drawn to a scale shared by all tests.
import type { Phases } from '../../results/model.ts';
import { bootTotalMs, phaseMs, phaseNames } from '../history.ts';
import { duration } from './format.ts';

/** A bar whose length is the boot's total relative to `scaleMs`, one segment per phase, and the durations in words. */
export function timelineHtml(phases: Phases, scaleMs: number): string {
  const total = bootTotalMs(phases);
  if (total === undefined) return '<p class="timeline empty">No boot phase was recorded.</p>';
  const known = phaseNames.flatMap((phase) => {
    const ms = phaseMs(phases, phase);
    return ms === undefined ? [] : [{ phase, ms }];
  });
  const width = Math.max(2, Math.min(100, (total / Math.max(scaleMs, total)) * 100));
  const segments = known
    .map(({ phase, ms }) => `<span class="phase ${phase}" style="flex-grow:${ms}" title="${phase} ${duration(ms)}">${phase} ${duration(ms)}</span>`)
    .join('');
  const words = known.map(({ phase, ms }) => `<span class="key ${phase}"></span>${phase} ${duration(ms)}`).join(' · ');
  const reached = phases.userlandMs === undefined ? ' (no shell reached)' : '';
  return (
    `<div class="timeline" data-testid="timeline"><div class="bar" style="width:${width.toFixed(1)}%">${segments}</div>` +
    `<p class="legend">${words} — first boot: <strong>${duration(total)}</strong>${reached}</p></div>`
  );
}
