import test from 'ava';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testFolder } from '../testdata/test-folder.ts';
import { BootServer } from './boot-server.ts';

async function started(t: import('ava').ExecutionContext) {
  const tmp = await testFolder(t, 'boot-server');
  const server = await BootServer.start(join(tmp, 'served'), join(tmp, 'artefacts', 'boot-server.log'));
  t.teardown(() => server.close());
  return server;
}

const host = (server: BootServer, path: string) => `http://127.0.0.1:${server.port}${path}`;

test('serves the files of its folder over HTTP and logs each request', async (t) => {
  const server = await started(t);
  await server.put('boot/vmlinuz', 'kernel bytes');
  const response = await fetch(host(server, '/boot/vmlinuz'));
  t.is(response.status, 200);
  t.is(await response.text(), 'kernel bytes');
  const missing = await fetch(host(server, '/boot/initrd.img'));
  t.is(missing.status, 404);
  t.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path} ${r.status} ${r.bytes}`),
    ['GET /boot/vmlinuz 200 12', 'GET /boot/initrd.img 404 0'],
  );
  const log = await readFile(server.logFile, 'utf8');
  t.regex(log, /http GET \/boot\/vmlinuz -> 200 \(12 bytes\)\n.*http GET \/boot\/initrd.img -> 404/);
});

test('the guest reaches it at 10.0.2.2 on its own port', async (t) => {
  const server = await started(t);
  t.is(server.guestUrl('/x/boot.ipxe'), `http://10.0.2.2:${server.port}/x/boot.ipxe`);
});

test('two servers have separate folders and ports', async (t) => {
  const [a, b] = await Promise.all([started(t), started(t)]);
  t.not(a.port, b.port);
  await a.put('only-a', 'a');
  t.is((await fetch(host(b, '/only-a'))).status, 404);
});

test('nothing outside the folder is served or written', async (t) => {
  const server = await started(t);
  const response = await fetch(host(server, '/../../etc/passwd'));
  t.is(response.status, 404);
  const encoded = await fetch(host(server, '/%2e%2e/%2e%2e/etc/passwd'));
  t.is(encoded.status, 404);
  await t.throwsAsync(() => server.put('/', 'x'), { message: /not a path inside the served folder/ });
});

test('a route answers requests under its prefix, with the request body logged', async (t) => {
  const server = await started(t);
  server.route('/state', ({ method, body }) => ({ status: 200, body: JSON.stringify({ method, got: body }) }));
  const response = await fetch(host(server, '/state'), { method: 'PATCH', body: '{"state_detail":"booted"}' });
  t.deepEqual(await response.json(), { method: 'PATCH', got: '{"state_detail":"booted"}' });
  t.is(server.requests[0]?.body, '{"state_detail":"booted"}');
  t.regex(await readFile(server.logFile, 'utf8'), /http PATCH \/state -> 200 .* body "\{\\"state_detail\\":\\"booted\\"\}"/);
});

test('only GET and HEAD read files', async (t) => {
  const server = await started(t);
  await server.put('f', 'x');
  t.is((await fetch(host(server, '/f'), { method: 'POST', body: 'y' })).status, 405);
  const head = await fetch(host(server, '/f'), { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers.get('content-length'), '1');
});

test('fetches of a file count the HTTP downloads and the TFTP reads from the NIC\'s capture, with their bytes', async (t) => {
  const server = await started(t);
  await server.put('hello.txt', 'hi\n');
  // Captured while iPXE read hello.txt ("hi\n") over TFTP from QEMU's user network.
  await copyFile(new URL('./testdata/ipxe-tftp-hello.pcap', import.meta.url), server.newCapture(join(server.folder, '..')));
  await copyFile(new URL('./testdata/ipxe-tftp-missing.pcap', import.meta.url), server.newCapture(join(server.folder, '..')));
  t.like(await server.fetches('hello.txt'), [{ protocol: 'tftp', bytes: 3 }]);
  t.is((await fetch(host(server, '/hello.txt'))).status, 200);
  await fetch(host(server, '/hello.txt'), { method: 'HEAD' });
  t.like(await server.fetches('/hello.txt'), [{ protocol: 'tftp', bytes: 3 }, { protocol: 'http', bytes: 3 }]);
  t.deepEqual(await server.fetches('missing.ipxe'), [], 'a read the server refused is no fetch');
});

test('a netboot folder is served as it is, subfolders included, and never written', async (t) => {
  const server = await started(t);
  const tmp = await testFolder(t, 'netboot');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(join(tmp, 'debian-installer', 'amd64'), { recursive: true });
  await writeFile(join(tmp, 'pxelinux.0'), 'pxe loader');
  await writeFile(join(tmp, 'debian-installer', 'amd64', 'linux'), 'installer kernel');
  await server.serveFolder(tmp);
  t.is(await (await fetch(host(server, '/debian-installer/amd64/linux'))).text(), 'installer kernel');
  t.is(await (await fetch(host(server, '/pxelinux.0'))).text(), 'pxe loader');
  await server.put('pxelinux.0', 'replaced');
  t.is(await (await fetch(host(server, '/pxelinux.0'))).text(), 'replaced', 'the served name now holds the new bytes');
  t.is(await readFile(join(tmp, 'pxelinux.0'), 'utf8'), 'pxe loader', "the user's file is unchanged");
  await t.throwsAsync(server.put('debian-installer/amd64/linux', 'x'), { message: /never written/ });
  t.is(await readFile(join(tmp, 'debian-installer', 'amd64', 'linux'), 'utf8'), 'installer kernel');
});
