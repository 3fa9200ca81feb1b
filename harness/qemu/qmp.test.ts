import test, { type ExecutionContext } from 'ava';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { QmpClient } from './qmp.ts';
import { QmpError, WaitTimeout } from '../errors.ts';
import { testFolder } from '../testdata/test-folder.ts';

/** A QMP server that greets, accepts capabilities negotiation, and hands its socket to the test. */
async function fakeQemu(t: ExecutionContext): Promise<{ client: QmpClient; peer: Socket }> {
  const path = join(await testFolder(t, 'qmp'), 'qmp.sock');
  let peer!: Socket;
  const server = createServer((socket) => {
    peer = socket;
    socket.write('{"QMP": {"version": {}, "capabilities": []}}\n');
    socket.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) socket.write(`{"return": {}, "id": ${JSON.parse(line).id}}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const client = await QmpClient.connect(path);
  server.close();
  return { client, peer };
}

test('an event wait ends with a timeout that names the event and what came instead', async (t) => {
  const { client, peer } = await fakeQemu(t);
  peer.write('{"event": "RESUME"}\n');
  const error = await t.throwsAsync(client.waitForEvent('SHUTDOWN', {}, 200), { instanceOf: WaitTimeout });
  t.regex(error!.message, /waiting for the QMP event SHUTDOWN/);
  t.regex(error!.message, /events received and not awaited: RESUME/);
  client.close();
});

test('an event wait is rejected when QEMU closes the connection, and a received event is still found', async (t) => {
  const { client, peer } = await fakeQemu(t);
  peer.write('{"event": "STOP"}\n');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.is((await client.waitForEvent('STOP', {}, 1000)).event, 'STOP');
  const waiting = client.waitForEvent('SHUTDOWN', {}, 60_000);
  peer.destroy();
  await t.throwsAsync(waiting, { instanceOf: QmpError, message: /QEMU closed the QMP connection/ });
});
