// Target profiles: everything that differs between targets (prompts, keys, commands) as validated data.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseConfig, readJsonFile } from './config-file.ts';
import { count, flag, keyName, oneOf, pattern, schemaKey, section, text, texts, whole } from './schema-parts.ts';
import { damageNames } from './damages.ts';
import { isPath, namedFiles, type NamedFile } from './named-files.ts';
import { userFolders } from './user-folder.ts';
import { UsageError } from '../errors.ts';

/** A console pattern that ends any wait at once, e.g. a kernel panic; `provokedBy`, a damage of the image that makes it appear. */
const failFastSchema = section({
  name: text(),
  regex: pattern(),
  provokedBy: oneOf(damageNames)
    .optional()
    .describe(`A damage of the image that makes this pattern appear at boot (the damaged-boot scenario): ${damageNames.join(', ')}`),
});
export type FailFastPattern = z.output<typeof failFastSchema>;

const sections = {
  loader: section({
    banner: pattern().describe('What the loader prints first'),
    interruptWindow: pattern().describe('Output after which the interrupt key stops the loader\'s autoboot'),
    interruptKey: keyName().describe('escape, enter, space, tab, backspace, ctrl-<letter> or one printable character'),
    prompt: pattern().describe('The loader\'s prompt'),
    typingDelayMs: count().default(20),
    selectDevice: text().describe('Typed at the prompt to choose {device} for this boot'),
    boot: text().describe('Typed at the prompt to boot'),
    booting: pattern().describe('The loader saying which device it boots (a "device" group)'),
    failure: pattern().describe('The loader saying it cannot boot'),
    defaultDevice: text().describe('The device booted when boot.conf is missing, empty or names an unknown device'),
    bootConfMissing: text().optional().describe('What the loader says when boot.conf is missing'),
    bootConfEmpty: text().optional().describe('What the loader says when boot.conf is empty'),
    bootConfUnknown: text().optional().describe('What the loader says when boot.conf names an unknown device'),
  }),
  kernel: section({
    userlandStarted: pattern().describe('The kernel handing over to userland'),
    selectDevice: text()
      .optional()
      .describe('The kernel command-line argument that boots {device} for one boot, for machines whose firmware loads the kernel itself (no loader prompt)'),
  }),
  shell: section({
    login: text().optional().describe('The login prompt'),
    user: text().optional(),
    password: text().optional(),
    prompt: pattern().describe('The shell prompt'),
    typingDelayMs: count().default(0),
  }),
  identify: section({
    console: pattern().optional().describe('A console line naming the booted device (a "device" group)'),
    deviceTemplate: text().default('{device}').describe('Turns the "device" group into a root device name'),
    command: text().optional().describe('A shell command printing the booted device'),
    commandPattern: pattern().optional(),
    rootCommand: text().optional().describe("Prints the kernel's mount table entry for /"),
    rootPattern: pattern().optional().describe('Takes the mounted device from rootCommand\'s output (a "source" group)'),
  }),
  commands: section({
    upgrade: text(),
    upgradeSteps: texts().default(() => []).describe('Progress lines the upgrade prints, in order'),
    upgradeDone: pattern(),
    upgradeRefused: pattern(),
    save: text(),
    reboot: text(),
    poweroff: text(),
    bootConf: text(),
    mountMbr: text(),
    unmountMbr: text(),
    bootConfLine: text(),
    writableDiskMounts: text().describe('Lists disk filesystems mounted read-write, one per line'),
    checkCfg: text().describe("Checks /cfg's filesystem without changing it; exit status 0 when clean"),
    fsWrittenVerbatim: flag()
      .default(false)
      .describe("The upgrade writes the .fs to the root partition byte for byte: each boot's root is hashed on the host against it"),
  }),
};
type Section = keyof typeof sections;

/** harness/config/profiles/<name>.json or a user's profiles/<name>.json, as written. */
export const profileSchema = section({
  $schema: schemaKey,
  description: text(),
  fixtureShape: text().default('resflash-linux').describe('The shape of the built-in fixture image this target is tested on (scripts/fixture/shape/)'),
  loader: sections.loader.optional().describe('The image\'s loader stage; absent: the target shows none'),
  kernel: sections.kernel.optional(),
  shell: sections.shell.optional().describe('The shell stage (needs loader); absent: the target shows none'),
  identify: sections.identify.optional(),
  commands: sections.commands.optional().describe('Shell commands (needs shell)'),
  partitions: z
    .record(z.string(), text(), { error: 'expected an object' })
    .default(() => ({}))
    .describe("Each root device's partition, appended to the boot disk's guest device name"),
  deviceNames: section({ disk: text(), partition: text() })
    .optional()
    .describe("The target system's names for the guest's disks ({n}) and their partitions ({n}, {partition}); absent: the vm-config's guestDevices"),
  firmwareLoader: section({ file: text(), partition: whole(1, 'a partition number') })
    .optional()
    .describe("The image's first-stage loader that Open Firmware loads by path: fills {loaderFile} and {loaderPartition} in vm-config boot commands"),
  failFast: z.array(failFastSchema, { error: 'expected an array of objects' }).default(() => []).describe('Console patterns that end any wait at once, e.g. a kernel panic'),
});

type ProfileFile = z.output<typeof profileSchema>;

export type TargetProfile = Omit<ProfileFile, '$schema' | Section> & { [K in Section]: z.output<(typeof sections)[K]> } & {
  name: string;
  /**
   * Which boot stages the target shows, so the harness can wait for them: the loader (the `loader` section) and
   * a shell (`shell`). A profile without them (e.g. `generic`, for any image) only powers on, waits and types;
   * the sections' fields then hold patterns that never match and are never used.
   */
  stages: { loader: boolean; shell: boolean };
};

export const profileDir = fileURLToPath(new URL('./profiles/', import.meta.url));

/** Every named profile: the built-in ones and the user's, whose file wins on a name clash. */
export function profileFiles(): NamedFile[] {
  return namedFiles(profileDir, userFolders().profiles, '.json');
}

export function profileNames(): string[] {
  return profileFiles().map((p) => p.name);
}

/** Loads a profile by name (built-in or the user's), or a user's profile from a path ending in .json. */
export function loadProfile(nameOrPath: string): TargetProfile {
  const path = isPath(nameOrPath, '.json');
  const file = path ? nameOrPath : profileFiles().find((p) => p.name === nameOrPath)?.file;
  if (!file || !existsSync(file)) {
    throw new UsageError(
      path
        ? `profile file ${file} not found: check the path, or name a profile (${profileNames().join(', ')})`
        : `unknown profile "${nameOrPath}": choose one of ${profileNames().join(', ')} or pass a path to a profile .json`,
    );
  }
  const raw = readJsonFile(file, 'profile', `fix the JSON; ${join(profileDir, 'fixture.json')} is a complete example`);
  return parseProfile(path ? file : nameOrPath, file, raw);
}

export function parseProfile(name: string, file: string, raw: unknown): TargetProfile {
  const has = (key: string) => typeof raw === 'object' && raw !== null && (raw as Record<string, unknown>)[key] !== undefined;
  const stages = { loader: has('loader'), shell: has('shell') };
  if (stages.shell && !stages.loader) throw new UsageError(`${file}: "shell" needs "loader" (the harness reaches the shell through the loader)`);
  if (has('commands') && !stages.shell) throw new UsageError(`${file}: "commands" needs "shell" (where they are typed)`);
  const { $schema: _, ...fields } = parseConfig(profileSchema, file, raw);
  const filled = <K extends Section>(key: K) => (fields[key] ?? sections[key].parse(absent[key])) as z.output<(typeof sections)[K]>;
  const profile: TargetProfile = {
    ...fields,
    name,
    stages,
    loader: filled('loader'),
    kernel: filled('kernel'),
    shell: filled('shell'),
    identify: filled('identify'),
    commands: filled('commands'),
  };
  if (profile.shell.login && !profile.shell.user) throw new UsageError(`${file}: shell: "login" needs "user"`);
  if (profile.identify.command && !profile.identify.commandPattern) {
    throw new UsageError(`${file}: identify: "command" needs "commandPattern"`);
  }
  const provoked = profile.failFast.map((f) => f.provokedBy).filter((d) => d !== undefined);
  const twice = provoked.find((d, i) => provoked.indexOf(d) !== i);
  if (twice) throw new UsageError(`${file}: failFast: two patterns name "provokedBy": "${twice}"; a damage provokes one of them, keep it on that one`);
  const { rootCommand, rootPattern } = profile.identify;
  if (Boolean(rootCommand) !== Boolean(rootPattern)) throw new UsageError(`${file}: identify: "rootCommand" and "rootPattern" go together`);
  if (rootPattern && !/\(\?<source>/.test(rootPattern.source)) {
    throw new UsageError(`${file}: identify.rootPattern: needs a (?<source>...) group for the mounted device`);
  }
  return Object.freeze(profile);
}

const never = '(?!)';

/** What an absent section reads as: patterns that never match, commands never typed (BootPath refuses the stage). */
const absent = {
  loader: {
    banner: never, interruptWindow: never, interruptKey: 'escape', prompt: never, selectDevice: 'none', boot: 'none',
    booting: never, failure: never, defaultDevice: 'none',
  },
  kernel: { userlandStarted: never },
  shell: { prompt: never },
  identify: {},
  commands: {
    upgrade: 'none', upgradeDone: never, upgradeRefused: never, save: 'none', reboot: 'none', poweroff: 'none', bootConf: 'none',
    mountMbr: 'none', unmountMbr: 'none', bootConfLine: 'none', writableDiskMounts: 'none', checkCfg: 'none',
  },
} satisfies { [K in Section]: z.input<(typeof sections)[K]> };

/** Fills `{name}` placeholders of a profile command. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new UsageError(`profile command "${template}" needs a value for {${key}}`);
    return value;
  });
}
