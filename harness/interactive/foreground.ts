// Whether this process owns its terminal's foreground: in a background process group, putting the terminal in raw
// mode or reading a key stops the process (SIGTTOU, SIGTTIN), which looks like a frozen, blank console.
import { fstatSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';

export interface ProcessTerminalIds {
  /** This process's group. */
  pgrp: number;
  /** The device number of the controlling terminal (0: none). */
  ttyNr: number;
  /** The controlling terminal's foreground process group (-1: none). */
  tpgid: number;
}

/** Fields 5, 7 and 8 of a /proc/PID/stat line; the command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(line: string): ProcessTerminalIds {
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (the state).
  return { pgrp: Number(fields[2]), ttyNr: Number(fields[4]), tpgid: Number(fields[5]) };
}

/** True unless stdin is the controlling terminal and another process group is its foreground (Linux; elsewhere true). */
export function ownsTerminalForeground(statLine?: string, stdinDevice?: number): boolean {
  let ids: ProcessTerminalIds;
  let device: number;
  try {
    ids = parseProcStat(statLine ?? readFileSync('/proc/self/stat', 'utf8'));
    device = stdinDevice ?? fstatSync(0).rdev;
  } catch {
    return true;
  }
  if (ids.ttyNr === 0 || ids.ttyNr !== device || ids.tpgid <= 0) return true;
  return ids.tpgid === ids.pgrp;
}

/** Throws a UsageError when the command (which takes over the terminal) runs in the background. */
export function assertTerminalForeground(command: string): void {
  if (!ownsTerminalForeground()) {
    throw new UsageError(`${command} needs the terminal's foreground: run it in the foreground (with timeout, add --foreground)`);
  }
}
