// Finds the TFTP requests and errors in captured Ethernet frames: QEMU's built-in TFTP server logs nothing itself.
import type { CapturedFrame } from './pcap.ts';

export type TftpEvent =
  | { timeMs: number; kind: 'read' | 'write'; file: string; mode: string }
  | { timeMs: number; kind: 'error'; code: number; message: string };

const tftpPort = 69;
const opcodes = { read: 1, write: 2, data: 3, error: 5 } as const;

/** One file read over TFTP: when it was asked for, and how many bytes of it the server sent (each block once). */
export interface TftpTransfer {
  timeMs: number;
  file: string;
  bytes: number;
  /** The server's error message, when it answered one instead of (the rest of) the file. */
  error?: string;
}

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

/**
 * The files read over TFTP, each with the bytes the server sent for it: the DATA blocks to the client port of the read
 * request, a retransmitted block counted once. A block's size is read from the UDP header, so a capture that keeps only
 * the frames' headers (QEMU's filter-dump with maxlen) counts whole blocks all the same.
 */
export function tftpTransfers(frames: CapturedFrame[]): TftpTransfer[] {
  const transfers: TftpTransfer[] = [];
  const byClientPort = new Map<number, { transfer: TftpTransfer; lastBlock: number }>();
  for (const frame of frames) {
    const udp = udpPayload(frame.data);
    if (!udp || udp.payload.length < 4) continue;
    const opcode = udp.payload.readUInt16BE(0);
    if (udp.destinationPort === tftpPort && opcode === opcodes.read) {
      const [file = ''] = zeroTerminated(udp.payload.subarray(2));
      const transfer: TftpTransfer = { timeMs: frame.timeMs, file, bytes: 0 };
      transfers.push(transfer);
      byClientPort.set(udp.sourcePort, { transfer, lastBlock: 0 });
      continue;
    }
    const current = udp.sourcePort === tftpPort ? byClientPort.get(udp.destinationPort) : undefined;
    if (!current) continue;
    if (opcode === opcodes.error) {
      current.transfer.error = zeroTerminated(udp.payload.subarray(4))[0] ?? '';
      byClientPort.delete(udp.destinationPort);
    } else if (opcode === opcodes.data) {
      const block = udp.payload.readUInt16BE(2);
      // Block numbers wrap around after 65535; any other number is a block sent again.
      if (block !== ((current.lastBlock + 1) & 0xffff)) continue;
      current.lastBlock = block;
      current.transfer.bytes += udp.datagramBytes - 4;
    }
  }
  return transfers;
}

/** One line per event, for the test's artefacts. */
export function formatTftpEvent(event: TftpEvent): string {
  const time = new Date(event.timeMs).toISOString();
  if (event.kind === 'error') return `${time} tftp error ${event.code} ${JSON.stringify(event.message)}`;
  return `${time} tftp ${event.kind} ${event.file} (${event.mode})`;
}

/** The UDP datagram in an IPv4 or IPv6 frame: its ports, its payload as captured, and the payload's size as sent. */
function udpPayload(frame: Buffer): { sourcePort: number; destinationPort: number; payload: Buffer; datagramBytes: number } | undefined {
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
    datagramBytes: length - 8,
  };
}

function zeroTerminated(bytes: Buffer): string[] {
  return bytes.toString('latin1').split('\0');
}
