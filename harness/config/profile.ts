// Target profiles: everything that differs between targets (prompts, keys, commands) as validated data.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObjectReader, type Json } from './validate.ts';
import { isPath, namedFiles, type NamedFile } from './named-files.ts';
import { userFolders } from './user-folder.ts';
import { UsageError } from '../errors.ts';
import { keyBytes } from './keys.ts';

/** A console pattern that ends any wait at once, e.g. a kernel panic. */
export interface FailFastPattern {
  name: string;
  regex: RegExp;
}

export interface TargetProfile {
  name: string;
  description: string;
  /**
   * Which boot stages the target shows, so the harness can wait for them: the loader (the `loader` section) and
   * a shell (`shell`). A profile without them (e.g. `generic`, for any image) only powers on, waits and types;
   * the sections' fields then hold patterns that never match and are never used.
   */
  stages: { loader: boolean; shell: boolean };
  /** The shape of the built-in fixture image this target is tested on (scripts/fixture/shape/). */
  fixtureShape: string;
  loader: {
    banner: RegExp;
    interruptWindow: RegExp;
    interruptKey: string;
    prompt: RegExp;
    typingDelayMs: number;
    selectDevice: string;
    boot: string;
    booting: RegExp;
    failure: RegExp;
    /** The device booted when boot.conf is missing, empty or names an unknown device. */
    defaultDevice: string;
    /** What the loader says in each of those cases, where it says anything. */
    bootConfMissing?: string;
    bootConfEmpty?: string;
    bootConfUnknown?: string;
  };
  kernel: {
    userlandStarted: RegExp;
    /**
     * The kernel command-line argument that boots `{device}` for one boot, for machines whose firmware loads
     * the kernel itself and so have no loader prompt (failover typed at the firmware, e.g. U-Boot's bootargs).
     */
    selectDevice?: string;
  };
  shell: { login?: string; user?: string; password?: string; prompt: RegExp; typingDelayMs: number };
  identify: {
    console?: RegExp;
    deviceTemplate: string;
    command?: string;
    commandPattern?: RegExp;
    /** Prints the kernel's mount table entry for `/`; `rootPattern`'s `source` group takes the mounted device from it. */
    rootCommand?: string;
    rootPattern?: RegExp;
  };
  commands: {
    upgrade: string;
    /** Progress lines the upgrade prints, in order. */
    upgradeSteps: string[];
    upgradeDone: RegExp;
    upgradeRefused: RegExp;
    save: string;
    reboot: string;
    poweroff: string;
    bootConf: string;
    mountMbr: string;
    unmountMbr: string;
    bootConfLine: string;
    /** Lists disk filesystems mounted read-write, one per line (none expected outside /cfg and /mbr saves). */
    writableDiskMounts: string;
    /** Checks /cfg's filesystem without changing it; exit status 0 when clean. */
    checkCfg: string;
    /** The upgrade writes the .fs to the root partition byte for byte: each boot's root is hashed on the host against it. */
    fsWrittenVerbatim: boolean;
  };
  /** Each root device's partition, appended to the boot disk's guest device name. */
  partitions: Record<string, string>;
  /**
   * The target system's names for the guest's disks and their partitions (`{n}`: 0 the boot disk, 1 the first extra
   * disk), e.g. OpenBSD's `/dev/sd{n}c` and `/dev/sd{n}{partition}`. Without them, the vm-config's guestDevices (Linux's
   * names) are used, with the partition appended.
   */
  deviceNames?: { disk: string; partition: string };
  /**
   * The image's first-stage loader that Open Firmware loads by path (OpenBSD's ofwboot): its file name and
   * partition (1 = the first MBR partition). Fills `{loaderFile}` and `{loaderPartition}` in vm-config boot commands.
   */
  firmwareLoader?: { file: string; partition: number };
  failFast: FailFastPattern[];
}

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
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: cannot read the profile: ${(error as Error).message} (fix the JSON; ${join(profileDir, 'fixture.json')} is a complete example)`);
  }
  return parseProfile(path ? file : nameOrPath, file, raw);
}

function parseKey(r: ObjectReader, key: string): string {
  const name = r.string(key);
  try {
    return keyBytes(name);
  } catch (error) {
    throw new UsageError(`${r.file}: ${r.path}${key}: ${(error as Error).message}`);
  }
}

export function parseProfile(name: string, file: string, raw: unknown): TargetProfile {
  const r = ObjectReader.root(file, raw);
  const stages = { loader: r.has('loader'), shell: r.has('shell') };
  if (stages.shell && !stages.loader) throw new UsageError(`${file}: "shell" needs "loader" (the harness reaches the shell through the loader)`);
  if (r.has('commands') && !stages.shell) throw new UsageError(`${file}: "commands" needs "shell" (where they are typed)`);
  const section = (key: keyof typeof absent) => r.object(key, 'optional') ?? new ObjectReader(file, `${key}.`, absent[key]);
  const loader = section('loader');
  const kernel = section('kernel');
  const shell = section('shell');
  const identify = section('identify');
  const commands = section('commands');
  const profile: TargetProfile = {
    name,
    description: r.string('description'),
    stages,
    fixtureShape: r.string('fixtureShape', 'resflash-linux'),
    loader: {
      banner: loader.regex('banner'),
      interruptWindow: loader.regex('interruptWindow'),
      interruptKey: parseKey(loader, 'interruptKey'),
      prompt: loader.regex('prompt'),
      typingDelayMs: loader.number('typingDelayMs', 20),
      selectDevice: loader.string('selectDevice'),
      boot: loader.string('boot'),
      booting: loader.regex('booting'),
      failure: loader.regex('failure'),
      defaultDevice: loader.string('defaultDevice'),
      bootConfMissing: loader.string('bootConfMissing', undefined),
      bootConfEmpty: loader.string('bootConfEmpty', undefined),
      bootConfUnknown: loader.string('bootConfUnknown', undefined),
    },
    kernel: { userlandStarted: kernel.regex('userlandStarted'), selectDevice: kernel.string('selectDevice', undefined) },
    shell: {
      login: shell.string('login', undefined),
      user: shell.string('user', undefined),
      password: shell.string('password', undefined),
      prompt: shell.regex('prompt'),
      typingDelayMs: shell.number('typingDelayMs', 0),
    },
    identify: {
      console: identify.regex('console', 'optional'),
      deviceTemplate: identify.string('deviceTemplate', '{device}'),
      command: identify.string('command', undefined),
      commandPattern: identify.regex('commandPattern', 'optional'),
      rootCommand: identify.string('rootCommand', undefined),
      rootPattern: identify.regex('rootPattern', 'optional'),
    },
    commands: {
      upgrade: commands.string('upgrade'),
      upgradeSteps: commands.strings('upgradeSteps', []),
      upgradeDone: commands.regex('upgradeDone'),
      upgradeRefused: commands.regex('upgradeRefused'),
      save: commands.string('save'),
      reboot: commands.string('reboot'),
      poweroff: commands.string('poweroff'),
      bootConf: commands.string('bootConf'),
      mountMbr: commands.string('mountMbr'),
      unmountMbr: commands.string('unmountMbr'),
      bootConfLine: commands.string('bootConfLine'),
      writableDiskMounts: commands.string('writableDiskMounts'),
      checkCfg: commands.string('checkCfg'),
      fsWrittenVerbatim: commands.boolean('fsWrittenVerbatim', false),
    },
    partitions: stringMap(r.object('partitions', 'optional') ?? new ObjectReader(file, 'partitions.', {})),
    deviceNames: parseDeviceNames(r.object('deviceNames', 'optional')),
    firmwareLoader: parseFirmwareLoader(r.object('firmwareLoader', 'optional')),
    failFast: (r.has('failFast') ? r.objects('failFast') : []).map((f) => {
      const pattern = { name: f.string('name'), regex: f.regex('regex') };
      f.done();
      return pattern;
    }),
  };
  for (const reader of [loader, kernel, shell, identify, commands, r]) reader.done();
  if (profile.shell.login && !profile.shell.user) throw new UsageError(`${file}: shell: "login" needs "user"`);
  if (profile.identify.command && !profile.identify.commandPattern) {
    throw new UsageError(`${file}: identify: "command" needs "commandPattern"`);
  }
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
} satisfies Record<string, Record<string, Json>>;

function parseDeviceNames(reader: ObjectReader | undefined): TargetProfile['deviceNames'] {
  if (!reader) return undefined;
  const names = { disk: reader.string('disk'), partition: reader.string('partition') };
  reader.done();
  return names;
}

function parseFirmwareLoader(reader: ObjectReader | undefined): TargetProfile['firmwareLoader'] {
  if (!reader) return undefined;
  const loader = { file: reader.string('file'), partition: reader.number('partition') };
  reader.done();
  if (!Number.isInteger(loader.partition) || loader.partition < 1) {
    throw new UsageError(`${reader.file}: firmwareLoader.partition: expected a partition number from 1, got ${loader.partition}`);
  }
  return loader;
}

function stringMap(reader: ObjectReader): Record<string, string> {
  const map: Record<string, string> = {};
  for (const key of reader.keys()) map[key] = reader.string(key);
  reader.done();
  return map;
}

/** Fills `{name}` placeholders of a profile command. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new UsageError(`profile command "${template}" needs a value for {${key}}`);
    return value;
  });
}
