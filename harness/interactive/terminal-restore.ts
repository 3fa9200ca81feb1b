// What a guest's output can leave changed on the person's terminal, and the bytes that change it back.

/** Each mode a guest may change, and the bytes that set it back to what a shell expects. */
export const restoreBytes = {
  characterSet: '\x1b(B\x0f',
  attributes: '\x1b[0m',
  // Setting the scroll region moves the cursor home: saving and restoring the cursor keeps the closing line in place.
  scrollRegion: '\x1b7\x1b[r\x1b8',
  autowrap: '\x1b[?7h',
  cursorVisible: '\x1b[?25h',
  keypad: '\x1b>\x1b[?1l',
} as const;

/** Leaving the alternate screen; sent only when the guest entered it, since on the normal screen it restores a stale cursor. */
export const leaveAlternateScreen = '\x1b[?1049l';

/** ESC c (full reset) and the alternate-screen modes (47, 1047, 1049) set or reset. */
const alternateScreenSwitch = /\x1bc|\x1b\[\?(?:47|1047|1049)([hl])/g;
/** Enough of a chunk's end to hold a switch sequence split across two chunks. */
const carried = 10;

/** Watches what the guest writes to the terminal and tells the bytes that restore it. */
export class TerminalRestore {
  private onAlternateScreen = false;
  private tail = '';

  /** Notes a chunk written to the terminal. */
  watch(output: string): void {
    const text = this.tail + output;
    for (const match of text.matchAll(alternateScreenSwitch)) this.onAlternateScreen = match[1] === 'h';
    this.tail = text.slice(-carried);
  }

  /** The bytes that give the person their terminal back as a shell expects it. */
  sequence(): string {
    return (this.onAlternateScreen ? leaveAlternateScreen : '') + Object.values(restoreBytes).join('');
  }
}
