// bootproof's own package folder, where the runner starts ava and the collection (its ava settings, its tsx), so a
// user's folder needs neither; and the module that makes their .ts files load as ES modules there.
import { fileURLToPath } from 'node:url';

export const packageDir = fileURLToPath(new URL('../../', import.meta.url));

export const esmScenarios = new URL('./esm-scenarios.ts', import.meta.url).href;
