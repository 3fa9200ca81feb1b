// Imported (--import, after tsx) by every process that loads scenario files: a user's .ts files load as ES modules
// even when their package.json lacks "type": "module", where tsx would compile them as CommonJS (no top-level await,
// no import.meta). Files under node_modules keep the format their package declares.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`export async function resolve(specifier, context, next) {
    const resolved = await next(specifier, context);
    const own = resolved.url.startsWith('file:') && resolved.url.endsWith('.ts') && !resolved.url.includes('/node_modules/');
    return own ? { ...resolved, format: 'module' } : resolved;
  }`)}`,
);
