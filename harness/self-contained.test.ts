// A clone has nothing beside it: no tracked file may name a path above the repository root.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Relative paths that start with "../" (not "run-.../"), resolved against the file's folder. */
function pathsAboveRoot(file: string, text: string): string[] {
  const escaping: string[] = [];
  for (const match of text.matchAll(/(?<![\w.-])(?:\.\.\/)+[\w./-]*/g)) {
    const target = relative(root, resolve(root, dirname(file), match[0]));
    if (target === '..' || target.startsWith('../')) escaping.push(`${file}: "${match[0]}"`);
  }
  return escaping;
}

test('the check finds a path that climbs out of the repository, and only that', (t) => {
  t.deepEqual(pathsAboveRoot('harness/config/profile.test.ts', "new URL('../../../sibling/seeds/', import.meta.url)"), [
    'harness/config/profile.test.ts: "../../../sibling/seeds/"',
  ]);
  t.deepEqual(pathsAboveRoot('harness/config/profile.ts', "new URL('../../scripts/', import.meta.url)"), []);
  t.deepEqual(pathsAboveRoot('README.md', 'npx bootproof replay reports/run-.../ --list'), []);
});

test('no tracked file refers to a path above the repository root', (t) => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    // Markdown shows paths relative to where the reader puts a file (a scenario under scenarios/, say); this file's examples are data.
    .filter((f) => f && !f.endsWith('.md') && f !== 'package-lock.json' && f !== 'harness/self-contained.test.ts' && existsSync(join(root, f)));
  t.true(files.length > 50, 'git lists the tracked files');
  const found = files.flatMap((file) => {
    const bytes = readFileSync(join(root, file));
    return bytes.includes(0) ? [] : pathsAboveRoot(file, bytes.toString('utf8'));
  });
  t.deepEqual(found, [], 'tests, scripts and builds read only what is in the repository or what its scripts install');
});
