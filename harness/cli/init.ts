// `bootproof init`: scaffolds a user's project in the working folder: a machine (a copy of a built-in one), a target
// profile (from `generic`) and a scenario that boots it, each JSON file naming its schema. Never overwrites a file.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { loadVmConfig, machineFiles } from '../config/vm-config.ts';
import { profileDir } from '../config/profile.ts';
import { userFolders } from '../config/user-folder.ts';
import { UsageError } from '../errors.ts';
import { command } from './command.ts';

const defaults = { name: 'my-machine', machine: 'amd64-bios' };

export const init = command({
  name: 'init',
  usage: `usage: bootproof init [--name NAME] [--machine M]
scaffold a bootproof project in the current folder (never overwriting a file):
  vm-configs/NAME.json       a copy of the built-in machine M, to change into yours
  profiles/NAME.json         a target profile from the generic one (no loader or shell expected)
  scenarios/NAME.test.ts     a scenario that powers the machine on and waits for its firmware's banner
each JSON file names its schema ("$schema", in node_modules/bootproof/schemas/), so an editor completes and checks it;
with a bootproof.config.json, the first folder it lists of each kind is used instead

  --name NAME      the name of the machine, profile and scenario (default: ${defaults.name}); letters, digits, - and _,
                   not the name of a built-in machine
  --machine M      the built-in machine to copy (default: ${defaults.machine}; bootproof machines lists them)`,
  options: { name: { type: 'string' }, machine: { type: 'string' } },
  run(values) {
    const name = values.name ?? defaults.name;
    const builtIns = machineFiles().filter((m) => m.builtIn);
    if (!/^[A-Za-z0-9][\w-]*$/.test(name)) throw new UsageError(`--name: expected letters, digits, - and _ (e.g. ${defaults.name}), got "${name}"`);
    if (builtIns.some((m) => m.name === name)) {
      throw new UsageError(`--name: "${name}" is a built-in machine; give your copy a name of its own (e.g. my-${name})`);
    }
    const machine = values.machine ?? defaults.machine;
    const source = builtIns.find((m) => m.name === machine);
    if (!source) throw new UsageError(`--machine: "${machine}" is not a built-in machine: choose one of ${builtIns.map((m) => m.name).join(', ')}`);

    const root = process.cwd();
    const folders = userFolders(root);
    const files = {
      vmConfig: join(folders.vmConfigs[0]!, `${name}.json`),
      profile: join(folders.profiles[0]!, `${name}.json`),
      scenario: join(folders.scenarios[0]!, `${name}.test.ts`),
    };
    for (const file of Object.values(files)) {
      if (existsSync(file)) throw new UsageError(`${file} exists: bootproof init never overwrites a file; move it away, or choose another --name`);
    }
    const schema = (file: string, kind: string) => relative(dirname(file), join(root, 'node_modules', 'bootproof', 'schemas', `${kind}.schema.json`));
    const builtIn = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const { $schema: _m, ...vmConfig } = builtIn(source.file);
    const { $schema: _p, ...profile } = builtIn(join(profileDir, 'generic.json'));
    const banner = loadVmConfig(source.file).firmware.banner.source;

    write(files.vmConfig, json({ $schema: schema(files.vmConfig, 'vm-config'), ...vmConfig, description: `${name}: ${String(vmConfig.description)}` }));
    write(files.profile, json({ $schema: schema(files.profile, 'profile'), ...profile }));
    write(files.scenario, scenarioFile(name, banner));
    for (const file of Object.values(files)) console.log(`wrote ${relative(root, file)}`);
    console.log(`run it: npx bootproof run --machine ${name} --scenario ${name} --profile ${name}`);
    return 0;
  },
});

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text, { flag: 'wx' });
}

function scenarioFile(name: string, banner: string): string {
  return `// ${name}: the machine powers on and its firmware shows on the serial console. Run it with
//   npx bootproof run --machine ${name} --scenario ${name} --profile ${name}
import { scenario } from 'bootproof';

scenario(
  {
    name: '${name}',
    description: '${name} powers on and its firmware prints its banner on the serial console',
    // 'full' once the image reaches a shell (the profile's "shell" section), 'loader' while it reaches the loader at most.
    depth: 'loader',
    // The machines of the CI slice (\`bootproof nightly --slice ci\`); the full nightly runs it on every machine that qualifies.
    ci: ['${name}'],
    timeoutMinutes: 5,
  },
  async (t, vm) => {
    await vm.boot.powerOn();
    // What the machine's firmware prints first (its vm-config's firmware.banner); wait for your image's output next.
    await vm.console.waitFor(/${banner}/, { timeoutMs: 60_000 });
    t.pass();
  },
);
`;
}
