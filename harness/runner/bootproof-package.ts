// bootproof's own package folder, where the runner starts ava and the collection (its ava settings, its tsx), so a
// user's folder needs neither; and the modules those processes import first (--import, after tsx).
import { fileURLToPath } from 'node:url';

export const packageDir = fileURLToPath(new URL('../../', import.meta.url));

export const preloads = ['./esm-scenarios.ts', './user-cwd.ts'].map((m) => new URL(m, import.meta.url).href);
