// A user's folder in the system's temporary folder, as a repository using bootproof has it: a package.json that is
// not "type": "module", bootproof in node_modules (a link to this checkout), and files written by the test.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testFolderSync, type Teardown } from '../../testdata/test-folder.ts';

export const checkout = fileURLToPath(new URL('../../../', import.meta.url));

export interface UserFolder {
  root: string;
  /** Writes a file (JSON when not a string) under the folder and returns its absolute path. */
  write(path: string, content: unknown): string;
}

/** A new user folder, removed when the test `t` ends. */
export function makeUserFolder(t: Teardown): UserFolder {
  const root = testFolderSync(t, 'user');
  const write = (path: string, content: unknown) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  };
  write('package.json', { name: 'my-images', version: '1.0.0' });
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(checkout, join(root, 'node_modules', 'bootproof'));
  return { root, write };
}

/** A built-in vm-config or profile as JSON, to copy under another name. */
export function builtIn(path: 'vm-configs/amd64-bios.json' | 'harness/config/profiles/fixture.json'): Record<string, unknown> {
  return JSON.parse(readFileSync(join(checkout, path), 'utf8')) as Record<string, unknown>;
}
