// The whole HTML report as one self-contained page: styles, the terminal player, casts and code all inlined.
import { createHash } from 'node:crypto';
import { bootTotalMs, type TestKey } from '../history.ts';
import type { FinalTest, Results } from '../../results/model.ts';
import { escapeHtml } from './escape.ts';
import { headerHtml } from './header.ts';
import { historySectionHtml, type HistoryView } from './history-section.ts';
import { matrixHtml } from './matrix.ts';
import { displayOrder, testAnchor } from './order.ts';
import { testSectionHtml, type TestFiles } from './test-section.ts';

/** Code and styles inlined into every page. */
export interface PageAssets {
  playerJs: string;
  playerCss: string;
  pageJs: string;
  pageCss: string;
}

export interface PageInput {
  results: Results;
  filesOf: (record: FinalTest) => TestFiles;
  /** Undefined when there is no history file beside the run folder. */
  history?: HistoryView;
  assets: PageAssets;
}

/** The report page; it loads nothing and its policy lets only its own two scripts run. */
export function reportPage({ results, filesOf, history, assets }: PageInput): string {
  const ordered = displayOrder(results.tests);
  const scaleMs = Math.max(0, ...ordered.map((t) => bootTotalMs(t.phases) ?? 0));
  const anchorOf = (key: TestKey) => {
    const index = ordered.findIndex((t) => t.scenario === key.scenario && t.machine === key.machine);
    return index < 0 ? undefined : testAnchor(index);
  };
  const s = results.summary;
  const title = `bootproof ${results.run.complete ? '' : '(INCOMPLETE) '}${s.passed}/${s.total} passed: ${results.run.id}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(assets)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${assets.playerCss}\n${assets.pageCss}</style>`,
    '</head><body>',
    headerHtml(results),
    `<section id="matrix"><h2>Scenarios × machines</h2>${matrixHtml(ordered)}</section>`,
    failuresHtml(ordered),
    history ? `<section id="history"><h2>Since the previous nightly</h2>${historySectionHtml(history, anchorOf)}</section>` : '',
    '<section id="tests"><h2>Tests</h2>',
    ...ordered.map((t, index) => testSectionHtml(t, index, filesOf(t), scaleMs)),
    '</section>',
    `<script>${assets.playerJs}</script>`,
    `<script>${assets.pageJs}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function failuresHtml(ordered: FinalTest[]): string {
  const item = ({ t, index }: { t: FinalTest; index: number }) =>
    `<li><a href="#${testAnchor(index)}">${escapeHtml(t.title)}</a>: ${escapeHtml(t.error?.message.split('\n')[0] ?? 'failed')}</li>`;
  const failed = ordered.flatMap((t, index) => (t.status === 'failed' ? [{ t, index }] : []));
  const unexpected = failed.filter(({ t }) => !t.knownFailure);
  const known = failed.filter(({ t }) => t.knownFailure);
  return [
    unexpected.length ? `<section id="failures"><h2>Failures</h2><ul class="failures">${unexpected.map(item).join('')}</ul></section>` : '',
    known.length ? `<section id="known-failures"><h2>Known failures</h2><ul class="failures known">${known.map(item).join('')}</ul></section>` : '',
  ].join('');
}

/** No fetch, frame, font or form; scripts only by hash (so an injected one would not run), WebAssembly for the player. */
function contentSecurityPolicy(assets: PageAssets): string {
  const hash = (code: string) => `'sha256-${createHash('sha256').update(code).digest('base64')}'`;
  return [
    "default-src 'none'",
    `script-src ${hash(assets.playerJs)} ${hash(assets.pageJs)} 'wasm-unsafe-eval'`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
