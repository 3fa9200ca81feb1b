// Chooses the accelerator: KVM only when a real boot proves it works, TCG otherwise.
import { accessSync, constants, existsSync } from 'node:fs';
import { execa } from 'execa';
import type { Accel } from '../deadline.ts';
import { UsageError } from '../errors.ts';

export type AccelChoice = Accel | 'auto';

export interface AccelVerdict {
  accel: Accel;
  reason: string;
}

let cached: Promise<AccelVerdict> | undefined;

export function parseAccelChoice(value: string | undefined): AccelChoice {
  const choice = value ?? 'auto';
  if (choice !== 'auto' && choice !== 'kvm' && choice !== 'tcg') {
    throw new UsageError(`--accel: expected kvm, tcg or auto, got "${choice}"`);
  }
  return choice;
}

/** Resolves `auto` once per process; an explicit choice is taken as given. */
export function chooseAccel(choice: AccelChoice): Promise<AccelVerdict> {
  if (choice !== 'auto') return Promise.resolve({ accel: choice, reason: 'chosen by the user' });
  cached ??= probeKvm();
  return cached;
}

/**
 * /dev/kvm must be usable, must not be the nested paravirtual kvm_pvm (which cannot run these
 * guests), and SeaBIOS under KVM must reach "No bootable device" within a few seconds (TCG: 0.4 s).
 */
export async function probeKvm(): Promise<AccelVerdict> {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', reason: '/dev/kvm is missing or not read-write for this user' };
  }
  if (existsSync('/sys/module/kvm_pvm')) {
    return { accel: 'tcg', reason: 'the host KVM is kvm_pvm (nested paravirtual), which cannot run these guests' };
  }
  const result = await execa(
    'timeout',
    ['-s', 'KILL', '6', 'qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host', '-m', '64', '-nographic',
     '-monitor', 'none', '-nic', 'none', '-no-reboot'],
    { reject: false, all: true, stdin: 'ignore' },
  );
  const output = result.all ?? '';
  if (/No bootable device/.test(output)) return { accel: 'kvm', reason: 'a KVM probe boot reached the firmware in time' };
  return { accel: 'tcg', reason: `a KVM probe boot did not reach the firmware in 6 s (${output.trim().split('\n').pop() ?? 'no output'})` };
}
