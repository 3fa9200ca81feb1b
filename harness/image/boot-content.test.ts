import test from 'ava';
import { namedDevice } from './boot-content.ts';

test('boot.conf names a root by the profile line; its last such line counts, an unknown device names none', (t) => {
  const roots = ['hd0d', 'hd0e'];
  t.is(namedDevice('set device=hd0e\n', 'set device={device}', roots), 'hd0e');
  t.is(namedDevice('# comment\nset device=hd0d\nset device=hd0e\n', 'set device={device}', roots), 'hd0e');
  t.is(namedDevice('set device hd0e\n', 'set device {device}', roots), 'hd0e');
  t.is(namedDevice('set device=hd0x\n', 'set device={device}', roots), undefined);
  t.is(namedDevice('# only comments\n', 'set device={device}', roots), undefined);
});
