// What npm pack puts in the tarball is enough to run: every relative module or file a packed source names is packed
// too (so an installed bootproof finds it), and no unit test, test data or example is shipped.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { dirname, join, normalize } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packed: string[] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))[0]
  .files.map((f: { path: string }) => f.path);
const files = new Set(packed);

/** Relative paths a source file names: static and dynamic imports, and `new URL('./x', import.meta.url)`. */
function namedPaths(file: string, text: string): string[] {
  const found = [
    ...text.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)'/g),
    ...text.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g),
    ...text.matchAll(/new URL\(\s*'(\.{1,2}\/[^']*)',\s*import\.meta\.url\)/g),
  ];
  return found.map((m) => normalize(join(dirname(file), m[1]!)));
}

test('the check reads imports and import.meta.url paths', (t) => {
  const text = "import { a } from './a.ts';\nconst m = await import('../b/c.ts');\nnew URL('../fixture/', import.meta.url);";
  t.deepEqual(namedPaths('harness/x/y.ts', text), ['harness/x/a.ts', 'harness/b/c.ts', 'harness/fixture/']);
});

test('every module and file a packed source names is packed', (t) => {
  t.true(files.has('bin/bootproof.js') && files.has('harness/index.ts') && files.has('package.json'), 'npm pack lists the entry points');
  const missing = packed
    .filter((f) => /\.(ts|js)$/.test(f))
    .flatMap((file) => namedPaths(file, readFileSync(join(root, file), 'utf8')).map((target) => ({ file, target })))
    .filter(({ target }) => target !== './')
    .filter(({ target }) => (target.endsWith('/') ? !packed.some((p) => p.startsWith(target)) : !files.has(target)))
    .map(({ file, target }) => `${file} names ${target}`);
  t.deepEqual(missing, [], 'add what is missing to "files" in package.json');
});

test('no unit test, test data or example is packed', (t) => {
  t.deepEqual(packed.filter((f) => /^harness\/.*\.test\.ts$|\/testdata\/|^examples\//.test(f)), []);
});
