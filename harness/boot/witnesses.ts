// The independent witnesses of which root booted (loader, kernel, image), and whether they agree.
import type { BootWitnesses } from '../results/model.ts';

/**
 * The root device whose partition a mount source names, by the profile's partitions (`{"hd0d": "5"}` makes
 * /dev/vda5 hd0d; `{"hd0d": "d"}` makes /dev/sd0d hd0d); undefined when it is none of them.
 */
export function rootDeviceOf(source: string, partitions: Record<string, string>): string | undefined {
  for (const [device, partition] of Object.entries(partitions)) {
    if (!partition || !source.endsWith(partition)) continue;
    // The character before the partition belongs to the disk's name, so it is not of the partition's kind: 15 is not 5.
    const before = source.at(-partition.length - 1) ?? '';
    if (sameKind(before, partition[0]!)) continue;
    return device;
  }
  return undefined;
}

function sameKind(a: string, b: string): boolean {
  const digit = /\d/;
  const letter = /[a-z]/i;
  return (digit.test(a) && digit.test(b)) || (letter.test(a) && letter.test(b));
}

/** What a witness says, in the words of a failure message. */
function said(witness: 'loader' | 'kernelRoot' | 'image', w: BootWitnesses): string {
  switch (witness) {
    case 'loader':
      return `the loader booted ${w.loader}`;
    case 'kernelRoot':
      return `the kernel mounted ${w.kernelRoot!.source} (${w.kernelRoot!.device})`;
    case 'image':
      return `the image reports ${w.image}`;
  }
}

/** Why the witnesses cannot be believed together, naming the two that disagree; undefined when they agree. */
export function disagreement(w: BootWitnesses, partitions: Record<string, string>): string | undefined {
  if (w.kernelRoot && w.kernelRoot.device === undefined) {
    const known = Object.entries(partitions).map(([device, partition]) => `${device}: ${partition}`).join(', ');
    return `the kernel mounted ${w.kernelRoot.source} as the root, which is none of the profile's root partitions (${known})`;
  }
  const devices = { kernelRoot: w.kernelRoot?.device, loader: w.loader, image: w.image };
  const pairs = [['kernelRoot', 'image'], ['loader', 'kernelRoot'], ['loader', 'image']] as const;
  for (const [a, b] of pairs) {
    if (devices[a] !== undefined && devices[b] !== undefined && devices[a] !== devices[b]) {
      return `${said(a, w)} but ${said(b, w)}`;
    }
  }
  return undefined;
}

/** The device the witnesses agree on: the image's word, else the kernel's, else the loader's. */
export function agreedDevice(w: BootWitnesses): string | undefined {
  return w.image ?? w.kernelRoot?.device ?? w.loader;
}
