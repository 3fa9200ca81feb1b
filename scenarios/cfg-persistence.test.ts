// cfg-persistence: /etc and /var live in memory; only what is saved to /cfg (by hand or at shutdown) comes back.
import { randomBytes } from 'node:crypto';
import { scenario } from 'bootproof';

scenario(
  {
    name: 'cfg-persistence',
    needs: ['ab-roots'],
    description: 'Saved files come back after reboot and upgrade, unsaved ones do not, and a power cut never corrupts /cfg',
    depth: 'full',
    ci: ['amd64-bios', 'mips64-uboot'],
    timeoutMinutes: 20,
    detects: [
      { variant: 'no-cfg-overlay', failure: /saved by hand is restored/, machines: ['amd64-bios'] },
      { variant: 'no-var-overlay', failure: /a file in \/var saved by hand is restored/, machines: ['amd64-bios'] },
    ],
  },
  async (t, vm) => {
    const token = () => randomBytes(6).toString('hex');
    const saved = `saved by hand ${token()}`;
    const atShutdown = `saved at shutdown ${token()}`;
    const unsaved = `never saved ${token()}`;
    const varSaved = `saved by hand in /var ${token()}`;
    const varAtShutdown = `saved at shutdown in /var ${token()}`;
    const varUnsaved = `never saved in /var ${token()}`;

    await vm.startFrom('shell');
    vm.expectBooted(t, { device: 'hd0d', version: vm.version(1) }, `a fresh image runs version ${vm.version(1)} from root d`);
    await vm.step('change /etc and save one file by hand', async () => {
      await vm.shell.succeed(`echo '${saved}' > /etc/bootproof-saved`);
      await vm.save('/etc/bootproof-saved');
      await vm.shell.succeed(`echo '${unsaved}' > /etc/bootproof-unsaved`);
      // motd is listed in resflash.conf's save_etc: a clean shutdown saves it.
      await vm.shell.succeed(`echo '${atShutdown}' > /etc/motd`);
    });
    await vm.step('change /var and save one file by hand', async () => {
      await vm.shell.succeed(`mkdir -p /var/db && echo '${varSaved}' > /var/db/bootproof-saved`);
      await vm.save('/var/db/bootproof-saved');
      await vm.shell.succeed(`echo '${varUnsaved}' > /var/db/bootproof-unsaved`);
      // db/host.random is listed in resflash.conf's save_var: a clean shutdown saves it.
      await vm.shell.succeed(`echo '${varAtShutdown}' > /var/db/host.random`);
    });
    await vm.rebootToShell('reboot cleanly');
    const restored = await vm.shell.execute('cat /etc/bootproof-saved');
    t.is(restored.output.trim(), saved, 'after a reboot, a file saved by hand is restored');
    t.is((await vm.shell.succeed('cat /etc/motd')).trim(), atShutdown, 'after a clean reboot, a file listed in resflash.conf was saved at shutdown');
    const gone = await vm.shell.execute('cat /etc/bootproof-unsaved');
    t.not(gone.status, 0, `an unsaved file is gone after reboot, but it says: ${gone.output}`);
    const varRestored = await vm.shell.execute('cat /var/db/bootproof-saved');
    t.is(varRestored.output.trim(), varSaved, 'after a reboot, a file in /var saved by hand is restored');
    const varListed = await vm.shell.execute('cat /var/db/host.random');
    t.is(varListed.output.trim(), varAtShutdown, 'after a clean reboot, a file in /var listed in save_var was saved at shutdown');
    const varGone = await vm.shell.execute('cat /var/db/bootproof-unsaved');
    t.not(varGone.status, 0, `an unsaved file in /var is gone after reboot, but it says: ${varGone.output}`);

    await vm.step('upgrade', () => vm.upgrade(vm.extraDiskDevice(0)));
    await vm.rebootToShell('reboot into the other root');
    vm.expectBooted(t, { device: 'hd0e', version: vm.version(2) }, `after the upgrade and a reboot, the upgraded root e runs version ${vm.version(2)}`);
    t.is((await vm.shell.succeed('cat /etc/bootproof-saved')).trim(), saved, 'a file saved by hand survives an upgrade');
    t.is((await vm.shell.succeed('cat /etc/motd')).trim(), atShutdown, 'a file saved at shutdown survives an upgrade');
    t.is((await vm.shell.execute('cat /var/db/bootproof-saved')).output.trim(), varSaved, 'a file in /var saved by hand survives an upgrade');
    t.is((await vm.shell.execute('cat /var/db/host.random')).output.trim(), varAtShutdown, 'a file in /var saved at shutdown survives an upgrade');

    await vm.step('change a listed file, then cut the power', async () => {
      await vm.shell.succeed(`echo 'lost in the power cut ${token()}' > /etc/motd`);
      await vm.shell.succeed(`echo 'lost in the power cut ${token()}' > /var/db/host.random`);
      await vm.boot.powerCut();
      await vm.boot.powerOn();
      await vm.boot.reach('shell');
    });
    t.is((await vm.shell.succeed('cat /etc/motd')).trim(), atShutdown, 'a power cut loses the unsaved change and keeps the saved copy');
    t.is((await vm.shell.execute('cat /var/db/host.random')).output.trim(), varAtShutdown, 'a power cut loses the unsaved change in /var and keeps the saved copy');
    t.is((await vm.shell.execute('cat /var/db/bootproof-saved')).output.trim(), varSaved, 'a file in /var saved by hand survives a power cut');
    await vm.step('check /cfg', () => vm.checkCfg());
  },
);
