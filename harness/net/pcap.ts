// Reads a libpcap capture (QEMU's filter-dump writes one per NIC): each frame with its time.
import { UsageError } from '../errors.ts';

export interface CapturedFrame {
  /** Capture time in milliseconds since the epoch. */
  timeMs: number;
  /** The captured bytes (possibly cut to the capture's snap length). */
  data: Buffer;
}

const magicLittle = 0xa1b2c3d4;

/** The frames of a pcap file's bytes; a capture cut short by a running writer ends at the last whole frame. */
export function readPcap(bytes: Buffer, name = 'capture'): CapturedFrame[] {
  if (bytes.length === 0) return [];
  if (bytes.length < 24) throw new UsageError(`${name}: not a pcap file (only ${bytes.length} bytes)`);
  let little: boolean;
  if (bytes.readUInt32LE(0) === magicLittle) little = true;
  else if (bytes.readUInt32BE(0) === magicLittle) little = false;
  else throw new UsageError(`${name}: not a pcap file (magic 0x${bytes.readUInt32LE(0).toString(16)})`);
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const frames: CapturedFrame[] = [];
  let at = 24;
  while (at + 16 <= bytes.length) {
    const seconds = u32(at);
    const micros = u32(at + 4);
    const captured = u32(at + 8);
    if (at + 16 + captured > bytes.length) break;
    frames.push({ timeMs: seconds * 1000 + micros / 1000, data: bytes.subarray(at + 16, at + 16 + captured) });
    at += 16 + captured;
  }
  return frames;
}
