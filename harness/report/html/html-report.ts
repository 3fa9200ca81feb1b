// Builds the run folder's index.html: reads the casts, artefacts and the history beside the folder, then renders.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { historyEntry, historyFileFor, readHistory } from '../history.ts';
import type { FinalTest, Results } from '../../results/model.ts';
import { embeddableCast, maxEmbeddedCastBytes } from './cast-embed.ts';
import { reportPage, type PageAssets } from './page.ts';
import type { TestFiles } from './test-section.ts';
import type { Reporter } from '../reporter.ts';

export const htmlReporter: Reporter = { file: 'index.html', render: (results, runDir) => htmlReport(runDir, results) };

/** The page for `results` of the run folder `runDir`; `historyFile` defaults to history.jsonl beside the folder. */
export async function htmlReport(runDir: string, results: Results, historyFile = historyFileFor(runDir)): Promise<string> {
  const files = new Map<FinalTest, TestFiles>();
  for (const record of results.tests) files.set(record, await testFiles(runDir, record));
  const history = existsSync(historyFile)
    ? { file: historyFile, entries: await readHistory(historyFile, results.run.profile), current: historyEntry(results) }
    : undefined;
  return reportPage({ results, filesOf: (record) => files.get(record)!, history, assets: assets() });
}

async function testFiles(runDir: string, record: FinalTest): Promise<TestFiles> {
  const present = new Set<string>();
  const paths = [record.artifacts, ...(record.earlierAttempts ?? []).map((a) => a.artifacts)].flatMap((a) => Object.values(a));
  for (const path of paths) {
    if (path && (await stat(join(runDir, path)).then((s) => s.isFile(), () => false))) present.add(path);
  }
  const castPath = record.artifacts.cast;
  if (!castPath) return { present, cast: { missing: 'no recording (the test ended before the machine started)' } };
  if (!present.has(castPath)) return { present, cast: { missing: `${castPath} is missing` } };
  const { size } = await stat(join(runDir, castPath));
  const text = size <= maxEmbeddedCastBytes ? await readFile(join(runDir, castPath), 'utf8') : '';
  return { present, cast: embeddableCast(text, size) };
}

let cached: PageAssets | undefined;

/** The player's prebuilt bundle and the page's own code and styles, read once per process. */
function assets(): PageAssets {
  const require = createRequire(import.meta.url);
  // Inside a <script> element only "</script" could end it early; in a bundle it can only stand in a string.
  const read = (path: string | URL) => readFileSync(path, 'utf8').replace(/<\/script/gi, '<\\/script');
  cached ??= {
    playerJs: read(require.resolve('asciinema-player/dist/bundle/asciinema-player.min.js')),
    playerCss: read(require.resolve('asciinema-player/dist/bundle/asciinema-player.css')),
    pageJs: read(new URL('./replay.js', import.meta.url)),
    pageCss: read(new URL('./page.css', import.meta.url)),
  };
  return cached;
}
