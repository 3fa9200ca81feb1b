// Incremental removal of terminal escape sequences and control characters from console output.

const enum Mode { Text, Esc, Csi, Osc, OscEsc, Charset }

/**
 * Strips CSI, OSC, two-byte escapes and charset designators, and every C0 control except
 * newline and tab. A sequence cut between two chunks is carried over to the next `push`.
 */
export class AnsiStripper {
  private mode = Mode.Text;

  push(chunk: string): string {
    let out = '';
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      switch (this.mode) {
        case Mode.Text:
          if (c === 0x1b) this.mode = Mode.Esc;
          else if (c === 0x9b) this.mode = Mode.Csi;
          else if (c >= 0x20 && c !== 0x7f) out += chunk[i];
          else if (c === 0x0a || c === 0x09) out += chunk[i];
          break;
        case Mode.Esc:
          if (c === 0x5b) this.mode = Mode.Csi;
          else if (c === 0x5d) this.mode = Mode.Osc;
          else if (c === 0x28 || c === 0x29 || c === 0x2a || c === 0x2b || c === 0x23 || c === 0x25) this.mode = Mode.Charset;
          else this.mode = Mode.Text;
          break;
        case Mode.Csi:
          if (c >= 0x40 && c <= 0x7e) this.mode = Mode.Text;
          break;
        case Mode.Osc:
          if (c === 0x07) this.mode = Mode.Text;
          else if (c === 0x1b) this.mode = Mode.OscEsc;
          break;
        case Mode.OscEsc:
          this.mode = c === 0x5c ? Mode.Text : Mode.Osc;
          break;
        case Mode.Charset:
          this.mode = Mode.Text;
          break;
      }
    }
    return out;
  }
}

/** Strips a whole string at once. */
export function stripAnsi(text: string): string {
  return new AnsiStripper().push(text);
}
