// Makes untrusted text (console output, error messages, paths) safe to place in the HTML report.

/** Escapes text for HTML content and quoted attributes; control characters become visible, as `cat -v` shows them (ESC as ^[). */
export function escapeHtml(text: string): string {
  return text
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g, caretNotation)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function caretNotation(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return '^?';
  return `\\x${code.toString(16)}`;
}

/** JSON for a `<script type="application/json">` element: nothing in it can end the element or open a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A link to a file beside the report: each path segment percent-encoded, so no path can become a URL scheme. */
export function relativeHref(path: string): string {
  return path
    .split(/[\\/]/)
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** A class name or id made from data: anything outside [a-z0-9-] becomes "-". */
export function cssToken(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}
