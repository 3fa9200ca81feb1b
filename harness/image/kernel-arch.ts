// The architecture a kernel file runs on, from its header: Linux x86 bzImage, ELF (Linux vmlinux, OpenBSD /bsd), U-Boot uImage.

/** vm-config architecture names (amd64, ppc64el, powerpc, mips64el, ...) with what gave it away, or undefined. */
export function kernelArchitecture(head: Buffer): { arch: string; kind: string } | undefined {
  if (head.length >= 0x240 && head.toString('latin1', 0x202, 0x206) === 'HdrS') {
    const xloadflags = head.readUInt16LE(0x236);
    return { arch: xloadflags & 1 ? 'amd64' : 'i386', kind: 'Linux bzImage' };
  }
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) return elfArchitecture(head);
  if (head.length >= 64 && head.readUInt32BE(0) === 0x27051956) {
    const arch = head[29];
    return arch === 5 || arch === 6 ? { arch: 'mips64el', kind: 'U-Boot uImage' } : arch === 7 ? { arch: 'powerpc', kind: 'U-Boot uImage' } : undefined;
  }
  return undefined;
}

function elfArchitecture(head: Buffer): { arch: string; kind: string } | undefined {
  const is64 = head[4] === 2;
  const little = head[5] === 1;
  const machine = little ? head.readUInt16LE(18) : head.readUInt16BE(18);
  const kind = `ELF ${is64 ? 64 : 32}-bit ${little ? 'LSB' : 'MSB'}`;
  switch (machine) {
    case 62:
      return { arch: 'amd64', kind };
    case 3:
      return { arch: 'i386', kind };
    case 183:
      return { arch: 'arm64', kind };
    case 21:
      return { arch: little ? 'ppc64el' : 'ppc64', kind };
    case 20:
      return { arch: 'powerpc', kind };
    case 8:
      return { arch: is64 ? (little ? 'mips64el' : 'mips64') : little ? 'mipsel' : 'mips', kind };
    default:
      return undefined;
  }
}
