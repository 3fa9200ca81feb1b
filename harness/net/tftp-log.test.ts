import test from 'ava';
import { readFileSync } from 'node:fs';
import { readPcap } from './pcap.ts';
import { formatTftpEvent, tftpEvents, tftpTransfers } from './tftp-log.ts';

// Captured with QEMU 7.2's filter-dump while iPXE fetched the DHCP boot file over TFTP from `-nic user,tftp=DIR`.
const capture = (name: string) => readPcap(readFileSync(new URL(`./testdata/${name}`, import.meta.url)), name);

test('a read request of a served file is found among the DHCP and ARP frames', (t) => {
  const events = tftpEvents(capture('ipxe-tftp-hello.pcap'));
  t.is(events.length, 1);
  t.like(events[0], { kind: 'read', file: 'hello.txt', mode: 'octet' });
  t.regex(formatTftpEvent(events[0]!), /^\d{4}-\d\d-\d\dT[\d:.]+Z tftp read hello.txt \(octet\)$/);
});

test('a missing file shows as the request and the server\'s File not found error', (t) => {
  const events = tftpEvents(capture('ipxe-tftp-missing.pcap'));
  t.deepEqual(
    events.map((e) => (e.kind === 'error' ? `error ${e.code} ${e.message}` : `${e.kind} ${e.file}`)),
    ['read missing.ipxe', 'error 1 File not found'],
  );
});

test('a capture cut mid-frame by a running writer yields the whole frames before the cut', (t) => {
  const bytes = readFileSync(new URL('./testdata/ipxe-tftp-hello.pcap', import.meta.url));
  const whole = readPcap(bytes);
  const cut = readPcap(bytes.subarray(0, bytes.length - 5));
  t.is(cut.length, whole.length - 1);
  t.deepEqual(readPcap(Buffer.alloc(0)), []);
});

test('a file that is not a pcap is refused naming it', (t) => {
  t.throws(() => readPcap(Buffer.from('GIF89a and more bytes than a header'), 'x.pcap'), { message: /x.pcap: not a pcap file/ });
});

test('a transfer counts the bytes the server sent for the file; a refused one has none and the error', (t) => {
  t.like(tftpTransfers(capture('ipxe-tftp-hello.pcap')), [{ file: 'hello.txt', bytes: 3 }]);
  t.false('error' in tftpTransfers(capture('ipxe-tftp-hello.pcap'))[0]!);
  t.like(tftpTransfers(capture('ipxe-tftp-missing.pcap')), [{ file: 'missing.ipxe', bytes: 0, error: 'File not found' }]);
});

/** An Ethernet frame with an IPv4 UDP datagram of `payloadBytes` bytes, captured as its first 256 bytes only. */
function udpFrame(sourcePort: number, destinationPort: number, payload: Buffer, payloadBytes = payload.length) {
  const frame = Buffer.alloc(14 + 20 + 8 + payload.length);
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame[14 + 9] = 17;
  frame.writeUInt16BE(sourcePort, 34);
  frame.writeUInt16BE(destinationPort, 36);
  frame.writeUInt16BE(8 + payloadBytes, 38);
  payload.copy(frame, 42);
  return { timeMs: 0, data: frame.subarray(0, 256) };
}

const readRequest = (port: number, file: string) => udpFrame(port, 69, Buffer.concat([Buffer.from([0, 1]), Buffer.from(`${file}\0octet\0`)]));
const dataBlock = (port: number, block: number, bytes: number) => {
  const header = Buffer.from([0, 3, block >> 8, block & 0xff]);
  return udpFrame(69, port, Buffer.concat([header, Buffer.alloc(Math.min(bytes, 300))]), 4 + bytes);
};

test('blocks cut by the capture\'s snap length count whole, a block sent again counts once, transfers go by client port', (t) => {
  const frames = [
    readRequest(1111, 'initrd.img'),
    dataBlock(1111, 1, 1468),
    dataBlock(1111, 2, 1468),
    dataBlock(1111, 2, 1468),
    readRequest(2222, 'kernel.uimg'),
    dataBlock(2222, 1, 10),
    dataBlock(1111, 3, 100),
  ];
  t.like(tftpTransfers(frames), [
    { file: 'initrd.img', bytes: 1468 * 2 + 100 },
    { file: 'kernel.uimg', bytes: 10 },
  ]);
});
