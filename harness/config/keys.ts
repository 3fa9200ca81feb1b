// Named keys as the serial line carries them: escape, enter, space, ctrl-<letter>, or one printable character.
import { UsageError } from '../errors.ts';

const named: Record<string, string> = { escape: '\x1b', enter: '\r', space: ' ', tab: '\t', backspace: '\x7f' };

/** The bytes of a named key, or of keys separated by spaces ("escape ctrl-u"); throws a UsageError naming the accepted names. */
export function keyBytes(name: string): string {
  if (name.includes(' ')) return name.split(/ +/).filter(Boolean).map(keyBytes).join('');
  if (/^[!-~]$/.test(name)) return name;
  const key = name.toLowerCase();
  if (named[key]) return named[key];
  const ctrl = /^ctrl-([a-z\]])$/.exec(key);
  if (ctrl) return String.fromCharCode(ctrl[1] === ']' ? 0x1d : ctrl[1]!.charCodeAt(0) - 96);
  throw new UsageError(`unknown key "${name}": use ${Object.keys(named).join(', ')}, ctrl-<letter> or one printable character`);
}
