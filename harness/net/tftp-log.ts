// Finds the TFTP requests and errors in captured Ethernet frames: QEMU's built-in TFTP server logs nothing itself.
import type { CapturedFrame } from './pcap.ts';

export type TftpEvent =
  | { timeMs: number; kind: 'read' | 'write'; file: string; mode: string }
  | { timeMs: number; kind: 'error'; code: number; message: string };

const tftpPort = 69;
const opcodes = { read: 1, write: 2, error: 5 } as const;

/** Read and write requests sent to the TFTP server, and the errors it answered (QEMU's server replies from port 69). */
export function tftpEvents(frames: CapturedFrame[]): TftpEvent[] {
  const events: TftpEvent[] = [];
  for (const frame of frames) {
    const udp = udpPayload(frame.data);
    if (!udp) continue;
    const { destinationPort, payload } = udp;
    if (payload.length < 4) continue;
    const opcode = payload.readUInt16BE(0);
    if (destinationPort === tftpPort && (opcode === opcodes.read || opcode === opcodes.write)) {
      const [file = '', mode = ''] = zeroTerminated(payload.subarray(2));
      events.push({ timeMs: frame.timeMs, kind: opcode === opcodes.read ? 'read' : 'write', file, mode });
    } else if (opcode === opcodes.error && udp.sourcePort === tftpPort) {
      const [message = ''] = zeroTerminated(payload.subarray(4));
      events.push({ timeMs: frame.timeMs, kind: 'error', code: payload.readUInt16BE(2), message });
    }
  }
  return events;
}

/** One line per event, for the test's artefacts. */
export function formatTftpEvent(event: TftpEvent): string {
  const time = new Date(event.timeMs).toISOString();
  if (event.kind === 'error') return `${time} tftp error ${event.code} ${JSON.stringify(event.message)}`;
  return `${time} tftp ${event.kind} ${event.file} (${event.mode})`;
}

function udpPayload(frame: Buffer): { sourcePort: number; destinationPort: number; payload: Buffer } | undefined {
  if (frame.length < 14) return undefined;
  const etherType = frame.readUInt16BE(12);
  let at = 14;
  if (etherType === 0x0800) {
    if (frame.length < at + 20 || frame[at + 9] !== 17) return undefined;
    at += (frame[at]! & 0x0f) * 4;
  } else if (etherType === 0x86dd) {
    if (frame.length < at + 40 || frame[at + 6] !== 17) return undefined;
    at += 40;
  } else {
    return undefined;
  }
  if (frame.length < at + 8) return undefined;
  const length = frame.readUInt16BE(at + 4);
  return {
    sourcePort: frame.readUInt16BE(at),
    destinationPort: frame.readUInt16BE(at + 2),
    payload: frame.subarray(at + 8, Math.min(frame.length, at + length)),
  };
}

function zeroTerminated(bytes: Buffer): string[] {
  return bytes.toString('latin1').split('\0');
}
