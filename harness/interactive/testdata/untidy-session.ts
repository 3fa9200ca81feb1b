// A console session whose guest leaves the terminal untidy, held until a signal ends it (or, with "exit", until it
// exits by itself without restoring); a QEMU stand-in (sleep) is tracked by the reaper as QEMU would be.
import { spawn } from 'node:child_process';
import { rawProcessTerminal } from '../process-terminal.ts';
import { track } from '../../qemu/reaper.ts';

const qemu = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
track(qemu.pid!);
const terminal = rawProcessTerminal();
terminal.write('\x1bc\x1b[?7l\x1b[?25l\x1b[?1049h\x1b)0\x0e\x1b[0;30;47m\x1b=\x1b[?1h\x1b[3;8rguest menu ');
terminal.write(`held: pid ${process.pid}, qemu ${qemu.pid}\r\n`);
if (process.argv[2] === 'exit') process.exit(3);
setInterval(() => undefined, 60_000);
