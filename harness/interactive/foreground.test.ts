import test from 'ava';
import { ownsTerminalForeground, parseProcStat } from './foreground.ts';

/** /proc/PID/stat of a process named `name`, in group `pgrp`, on terminal `ttyNr` whose foreground group is `tpgid`. */
const stat = (name: string, pgrp: number, ttyNr: number, tpgid: number) =>
  `4242 (${name}) S 4000 ${pgrp} 4000 ${ttyNr} ${tpgid} 4194560 1205 0 0 0 3 1 0 0 20 0 11 0 55667 1195794432 12741`;

test('the group, terminal and foreground group are read after the command name, whatever it holds', (t) => {
  t.deepEqual(parseProcStat(stat('node', 4242, 34816, 4242)), { pgrp: 4242, ttyNr: 34816, tpgid: 4242 });
  t.deepEqual(parseProcStat(stat('a) 1 2 (b', 7, 34817, 9)), { pgrp: 7, ttyNr: 34817, tpgid: 9 });
});

test('only a process in another group than its terminal\'s foreground is in the background', (t) => {
  t.true(ownsTerminalForeground(stat('node', 4242, 34816, 4242), 34816), 'the foreground group');
  t.false(ownsTerminalForeground(stat('node', 4300, 34816, 4242), 34816), 'started by timeout, which makes a group of its own');
  t.true(ownsTerminalForeground(stat('node', 4300, 0, -1), 34816), 'no controlling terminal: no job control on stdin');
  t.true(ownsTerminalForeground(stat('node', 4300, 34816, 4242), 34820), 'stdin is another terminal than the controlling one');
});
