import test from 'ava';
import { join } from 'node:path';
import { testFolder } from '../testdata/test-folder.ts';
import { BootServer } from './boot-server.ts';
import { instanceAddress, MetadataService, type InstanceMetadata } from './metadata-service.ts';

const metadata: InstanceMetadata = {
  id: 'b2c3',
  name: 'bootproof-vm',
  hostname: 'resflash',
  ipv6: { address: 'fec0::5eed:1', netmask: '64', gateway: 'fec0::2' },
};

async function started(t: import('ava').ExecutionContext) {
  const tmp = await testFolder(t, 'metadata');
  const server = await BootServer.start(join(tmp, 'served'), join(tmp, 'boot-server.log'));
  t.teardown(() => server.close());
  return { server, service: new MetadataService(server, metadata), url: (p: string) => `http://127.0.0.1:${server.port}${p}` };
}

test('serves the instance metadata as JSON, with the IPv6 settings and the last state', async (t) => {
  const { service, url } = await started(t);
  t.regex(service.guestUrl, /^http:\/\/10\.0\.2\.2:\d+\/conf$/);
  const answer = await (await fetch(url('/conf'))).json();
  t.deepEqual(answer, { ...metadata, state_detail: 'starting' });
});

test('records a PATCH of state_detail and wakes whoever waits for it', async (t) => {
  const { service, server, url } = await started(t);
  const waiting = service.waitForState('booted', 5000);
  const response = await fetch(url('/conf/state'), { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"state_detail": "booted"}' });
  t.is(response.status, 200);
  t.is((await waiting).stateDetail, 'booted');
  t.is((await service.waitForState('booted', 10)).stateDetail, 'booted', 'a state already reported resolves at once');
  t.is(((await (await fetch(url('/conf'))).json()) as { state_detail: string }).state_detail, 'booted');
  t.is(server.requests[0]?.body, '{"state_detail": "booted"}');
});

test('a guest that never signals fails the wait with what it did do', async (t) => {
  const { service, url } = await started(t);
  await fetch(url('/conf'));
  await fetch(url('/conf/state'), { method: 'PATCH', body: '{"state_detail": "booting"}' });
  await t.throwsAsync(() => service.waitForState('booted', 50), {
    message: 'the guest never signalled state "booted" to the metadata service within 0.1 s (it reported "booting"; it fetched its metadata 1 time)',
  });
});

test('a malformed state change is refused and not recorded', async (t) => {
  const { service, url } = await started(t);
  t.is((await fetch(url('/conf/state'), { method: 'PATCH', body: 'booted' })).status, 400);
  t.is((await fetch(url('/conf/state'), { method: 'PATCH', body: '{"state": "booted"}' })).status, 400);
  t.is((await fetch(url('/conf/state'), { method: 'POST', body: '{"state_detail": "booted"}' })).status, 405);
  t.deepEqual(service.changes, []);
});

test('the instance address is written as the guest prints it back: no leading zeros in its last group', (t) => {
  t.is(instanceAddress(0x0aa5), 'fec0::5eed:aa5');
  t.is(instanceAddress(0x0007), 'fec0::5eed:7');
  t.is(instanceAddress(0xbeef), 'fec0::5eed:beef');
});
