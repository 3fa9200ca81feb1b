import { basename } from 'node:path';
// One test's section: its failure on top, the first boot's timeline, steps, boots, artefact links and console replay.
import type { BootRecord, FinalTest, StartedFrom, TestRecord } from '../../results/model.ts';
import { shownStatus } from '../../results/final-status.ts';
import { bootTotalMs } from '../history.ts';
import { cssToken, escapeHtml, relativeHref, scriptJson } from './escape.ts';
import { duration, utcTime } from './format.ts';
import { testAnchor } from './order.ts';
import { timelineHtml } from './timeline.ts';

/** What the page needs from the run folder besides the record. */
export interface TestFiles {
  /** Artefact paths (relative to the run folder) that exist. */
  present: ReadonlySet<string>;
  /** The asciicast to embed for replay, or why there is none. */
  cast: { text: string } | { missing: string };
}

/** The section of the test at `index` in display order; `scaleMs` is the longest first boot, for the timeline. */
export function testSectionHtml(t: FinalTest, index: number, files: TestFiles, scaleMs: number): string {
  const status = cssToken(shownStatus(t));
  const heading = `<h3><span class="status ${status}">${escapeHtml(shownStatus(t))}</span> ${escapeHtml(t.title)} <span class="time">${duration(t.durationMs)}</span></h3>`;
  if (t.status === 'skipped') {
    return `<article class="test ${status}" id="${testAnchor(index)}" data-testid="test">\n${heading}\n<p class="skip">Skipped: ${escapeHtml(t.skipReason ?? 'no reason given')}</p>\n</article>`;
  }
  return [
    `<article class="test ${status}" id="${testAnchor(index)}" data-testid="test">`,
    heading,
    knownFailureHtml(t),
    errorHtml(t),
    reproduceHtml(t),
    attemptsHtml(t, files.present),
    '<h4>First boot</h4>',
    timelineHtml(t.phases, scaleMs),
    startedFromHtml(t),
    `<div class="columns"><div><h4>Steps</h4>${stepsHtml(t)}</div><div><h4>Boots</h4>${bootsHtml(t.boots)}</div></div>`,
    metaHtml(t),
    filesHtml(t, files.present),
    replayHtml(index, files.cast),
    '</article>',
  ].join('\n');
}

function knownFailureHtml(t: FinalTest): string {
  if (!t.knownFailure) return '';
  const { reason, expires } = t.knownFailure;
  return `<p class="known" data-testid="known-failure">Known failure, expected until ${escapeHtml(expires)}: ${escapeHtml(reason)}</p>`;
}

function errorHtml(t: TestRecord): string {
  if (!t.error) return '';
  const [headline = '', ...evidence] = t.error.message.split('\n');
  const rest = evidence.join('\n').trimEnd();
  return (
    `<div class="error" data-testid="error"><p><strong>${escapeHtml(t.error.kind)}</strong>: ${escapeHtml(headline)}</p>` +
    (rest ? `<pre>${escapeHtml(rest)}</pre>` : '') +
    '</div>'
  );
}

/** The commands that reproduce a failure by hand: resume the kept VM, or run the test again. */
function reproduceHtml(t: TestRecord): string {
  if (t.status !== 'failed') return '';
  const scenario = t.scenario.split(':')[0]!;
  const lines = [
    ...(t.kept ? [`${t.kept.attach}    # the VM as it stood at the failure, paused: Ctrl-] resume`] : []),
    `npx bootproof run --machine ${t.machine} --scenario ${scenario}${t.kept ? '' : ' --keep-on-failure'}`,
    `npx bootproof console --machine ${t.machine}${t.image.path ? ` --image ${t.image.path}` : ''}    # boot it by hand`,
  ];
  return `<div class="reproduce" data-testid="reproduce"><h4>Reproduce by hand</h4><pre>${escapeHtml(lines.join('\n'))}</pre></div>`;
}

/** Earlier attempts of a retried test (what made it flaky), each with its error and artefacts. */
function attemptsHtml(t: FinalTest, present: ReadonlySet<string>): string {
  if (!t.earlierAttempts?.length) return '';
  const items = t.earlierAttempts.map((a) => {
    const error = a.error ? `<pre>${escapeHtml(`${a.error.kind}: ${a.error.message}`)}</pre>` : '';
    return `<li><span class="status ${cssToken(a.status)}">${escapeHtml(a.status)}</span> attempt ${a.attempt} · ${artefactLinks(a.artifacts, present)}${error}</li>`;
  });
  return `<details class="attempts" data-testid="attempts"${t.status === 'flaky' ? ' open' : ''}><summary>${t.earlierAttempts.length} earlier attempt${t.earlierAttempts.length === 1 ? '' : 's'}</summary><ul>${items.join('')}</ul></details>`;
}

function stepsHtml(t: TestRecord): string {
  if (t.steps.length === 0) return '<p class="empty">No timed step.</p>';
  const rows = t.steps.map(
    (s) =>
      `<tr class="${s.ok ? 'ok' : 'bad'}"><td>${s.ok ? '✓' : '✗'}</td><td>${escapeHtml(s.name)}</td><td class="num">${duration(s.durationMs)}</td></tr>`,
  );
  return `<table class="steps"><tbody>${rows.join('')}</tbody></table>`;
}

function bootsHtml(boots: BootRecord[]): string {
  if (boots.length === 0) return '<p class="empty">No boot.</p>';
  const head = '<tr><th>#</th><th>asked for</th><th>booted</th><th>witnesses</th><th>version</th><th>boot id</th><th>to shell</th></tr>';
  const rows = boots.map((b, i) => {
    const total = b.phases.userlandMs === undefined ? undefined : bootTotalMs(b.phases);
    const cells = [
      String(i + 1),
      escapeHtml(b.restored ? `checkpoint ${b.restored.checkpoint}` : (b.requestedDevice ?? '—')),
      escapeHtml(b.device ?? '?'),
      witnessesHtml(b.witnesses),
      escapeHtml(b.version ?? '?'),
      b.bootId ? `<code title="${escapeHtml(b.bootId)}">${escapeHtml(b.bootId.slice(0, 8))}</code>` : '—',
      b.restored ? `restored in ${duration(b.restored.ms)}` : total === undefined ? 'not reached' : duration(total),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="boots"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>${firmwareHtml(boots)}`;
}

/** Who said which root booted: the loader, the kernel's mount table, the image itself. */
function witnessesHtml(w: BootRecord['witnesses']): string {
  if (!w) return '—';
  const kernel = w.kernelRoot && `${w.kernelRoot.source} (${w.kernelRoot.device ?? 'no root device'})`;
  const said = [
    ['loader', w.loader],
    ['kernel', kernel],
    ['image', w.image],
    ['disk', w.fs && `${w.fs.device} = ${basename(w.fs.file)} (sha256 ${w.fs.sha256.slice(0, 12)})`],
  ].flatMap(([who, what]) => (what ? [`${who} ${escapeHtml(what)}`] : []));
  return `<span data-testid="witnesses">${said.join(' · ')}</span>`;
}

const persistenceNotes = {
  nvram: 'kept in the machine\'s NVRAM: typed once, later power-ons boot it by themselves',
  reset: 'kept across firmware resets only: the harness types it at every power-on',
  none: 'the firmware keeps nothing: the harness types it at every boot',
} as const;

/** What the harness typed at the firmware prompt, per boot, and what the firmware keeps of it. */
function firmwareHtml(boots: BootRecord[]): string {
  const items = boots.flatMap((b, i) =>
    b.firmware && b.firmware.typed.length > 0
      ? [`<li>boot ${i + 1}: <code>${b.firmware.typed.map(escapeHtml).join('</code>, <code>')}</code> (${persistenceNotes[b.firmware.persistence]})</li>`]
      : [],
  );
  return items.length === 0 ? '' : `<p class="firmware">Typed at the firmware prompt:</p><ul class="firmware">${items.join('')}</ul>`;
}

/** Which shared starting state the test began in, and which test built its checkpoint. */
function startedFromHtml(t: TestRecord): string {
  if (!t.startedFrom) return '';
  return `<p class="started-from" data-testid="started-from">Started from ${startedFromText(t.startedFrom)}</p>`;
}

function startedFromText(from: StartedFrom): string {
  const state = `the state <strong>${escapeHtml(from.state)}</strong>`;
  const how =
    from.how === 'restored'
      ? `, resumed from the checkpoint that <em>${escapeHtml(from.builtBy ?? 'an earlier test')}</em> saved`
      : from.how === 'built'
        ? `, booted to by this test, which saved it for the later tests`
        : ', booted to by this test';
  const note = from.note ? ` (${escapeHtml(from.note)})` : '';
  const base = from.base ? `; it reached it from ${startedFromText(from.base)}` : '';
  return `${state}${how}${note}${base}`;
}

function metaHtml(t: TestRecord): string {
  const sha = t.image.sha256 ? ` <code title="${escapeHtml(t.image.sha256)}">sha256 ${escapeHtml(t.image.sha256.slice(0, 12))}…</code>` : '';
  return (
    `<p class="meta">started ${escapeHtml(utcTime(t.startedAt))} · accelerator ${escapeHtml(t.accel)}` +
    ` · image <code>${escapeHtml(t.image.path || 'none')}</code>${sha}</p>`
  );
}

const artefactLabels = [
  ['transcript', 'console.txt'],
  ['cast', 'console.cast'],
  ['qemuStderr', 'qemu-stderr.log'],
  ['launches', 'launches.jsonl'],
  ['bootServerLog', 'boot-server.log'],
] as const;

/** Artefacts only some machines or runs have: no "not recorded" note when absent. */
const optionalArtefacts: ReadonlySet<string> = new Set(['bootServerLog', 'launches']);

function filesHtml(t: TestRecord, present: ReadonlySet<string>): string {
  return `<p class="files" data-testid="files">${artefactLinks(t.artifacts, present)}</p>`;
}

function artefactLinks(artifacts: TestRecord['artifacts'], present: ReadonlySet<string>): string {
  const links = artefactLabels.flatMap(([key, label]) => {
    const path = artifacts[key];
    if (!path && optionalArtefacts.has(key)) return [];
    if (!path) return `<span class="missing">${label}: not recorded</span>`;
    if (!present.has(path)) return `<span class="missing" title="${escapeHtml(path)}">${label}: missing</span>`;
    return `<a href="${escapeHtml(relativeHref(path))}" title="${escapeHtml(path)}">${label}</a>`;
  });
  return links.join(' · ');
}

function replayHtml(index: number, cast: TestFiles['cast']): string {
  if ('missing' in cast) return `<p class="replay empty">Console replay: ${escapeHtml(cast.missing)}</p>`;
  return (
    `<div class="replay"><button type="button" data-cast="cast-${index}" data-player="player-${index}">▶ Replay the console</button>` +
    `<div class="player" id="player-${index}"></div>` +
    `<script type="application/json" id="cast-${index}">${scriptJson(cast.text)}</script></div>`
  );
}
