// What a run will run, found before any boot: every scenario file is loaded with ava stood in for.
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { file as tmpFile } from 'tmp-promise';
import { UsageError } from '../errors.ts';
import type { DeclaredTest } from '../scenario/scenario.ts';
import { packageDir, preloads } from './bootproof-package.ts';

export interface Collection {
  files: { file: string; scenarios: string[] }[];
  /** In the order each file's ava process runs them, with the file that declares them. */
  tests: (DeclaredTest & { file: string })[];
}

const entry = new URL('./collect-entry.ts', import.meta.url).pathname;

/** Declared scenarios and tests of the files (absolute paths), under the settings (BOOTPROOF_*) the ava run will have. */
export async function collectTests(files: string[], env: Record<string, string>): Promise<Collection> {
  const out = await tmpFile({ prefix: 'bp-collect-', postfix: '.json' });
  try {
    const child = await execa(process.execPath, ['--import', 'tsx', ...preloads.flatMap((m) => ['--import', m]), entry, ...files], {
      cwd: packageDir,
      env: { ...env, BOOTPROOF_COLLECT_OUT: out.path },
      reject: false,
      all: true,
    });
    if (child.exitCode !== 0) {
      const output = child.all ?? '';
      const reason = /^[A-Za-z]*Error: (.*)$/m.exec(output)?.[1] ?? output;
      const where = /\(([^()\s]+\.test\.[cm]?[jt]s:\d+):\d+\)/.exec(output)?.[1];
      throw new UsageError(`the scenario files could not be loaded: ${reason}${where ? ` (at ${where})` : ''}`);
    }
    return JSON.parse(await readFile(out.path, 'utf8')) as Collection;
  } finally {
    await out.cleanup();
  }
}
