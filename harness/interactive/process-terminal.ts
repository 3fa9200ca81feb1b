// This process's terminal for a console session: raw mode, and the person's terminal given back however the process ends.
import { writeSync } from 'node:fs';
import type { Terminal } from './console-session.ts';
import { TerminalRestore } from './terminal-restore.ts';

const endingSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * This process's terminal in raw mode, every key for the guest. `restore` gives the person their terminal back: raw
 * mode off and the modes the guest changed reset. It also runs by itself on exit and on SIGINT, SIGTERM and SIGHUP.
 */
export function rawProcessTerminal(): Terminal & { restore(): void } {
  const stdin = process.stdin;
  const modes = new TerminalRestore();
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    for (const signal of endingSignals) process.off(signal, onSignal);
    try {
      stdin.setRawMode(false);
    } catch {
      // the terminal hung up
    }
    stdin.pause();
    writeOut(modes.sequence());
  };
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    writeOut(`\nbootproof: console ended (${signal})\n`);
    // Other handlers (the QEMU reaper) run too; once the last is gone the signal's default action ends the process.
    process.kill(process.pid, signal);
  };
  process.on('exit', restore);
  for (const signal of endingSignals) process.on(signal, onSignal);
  stdin.setEncoding('utf8');
  stdin.setRawMode(true);
  stdin.resume();
  return {
    onInput: (listener) => stdin.on('data', (chunk: string) => listener(chunk)),
    write: (data) => {
      modes.watch(data);
      process.stdout.write(data);
    },
    restore,
  };
}

/** Writes at once, even from an exit handler; a terminal that hung up is not an error. */
function writeOut(text: string): void {
  try {
    writeSync(process.stdout.fd, text);
  } catch {
    // nobody is left to read it
  }
}
