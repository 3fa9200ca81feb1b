// Hand-made write logs for unit tests.

/** A blklogwrites log of 512-byte sectors; each write's sector n holds the byte `data + n`. */
export function logOf(entries: { sector?: number; sectors?: number; flags?: number; data?: number }[]): Buffer {
  const superblock = Buffer.alloc(512);
  superblock.writeBigUInt64LE(0x6a736677736872n, 0);
  superblock.writeBigUInt64LE(1n, 8);
  superblock.writeBigUInt64LE(BigInt(entries.length), 16);
  superblock.writeUInt32LE(512, 24);
  const parts = [superblock];
  for (const { sector = 0, sectors = 0, flags = 0, data = 0 } of entries) {
    const header = Buffer.alloc(512);
    header.writeBigUInt64LE(BigInt(sector), 0);
    header.writeBigUInt64LE(BigInt(sectors), 8);
    header.writeBigUInt64LE(BigInt(flags), 16);
    parts.push(header);
    for (let n = 0; n < sectors; n++) parts.push(Buffer.alloc(512, data + n));
  }
  return Buffer.concat(parts);
}
