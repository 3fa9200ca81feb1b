import test from 'ava';
import { readFileSync } from 'node:fs';
import { readPcap } from './pcap.ts';
import { formatTftpEvent, tftpEvents } from './tftp-log.ts';

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
