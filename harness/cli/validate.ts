// `bootproof validate`: checks a user's image and .fs files before any boot, then runs the scenarios on them instead of the fixture.
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { loadVmConfig, machineNames, missingOnHost } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import { checkInputs } from '../image/check-inputs.ts';
import { parseVersionedFs } from '../scenario/image-source.ts';
import { scenarioNames } from '../runner/scenario-files.ts';
import { command } from './command.ts';
import { matrixOptions, matrixUsage, runMatrix } from './run.ts';
import { crashStateOptions, crashStateSettings, crashStateUsage } from './crash-states.ts';
import { timestamp } from './shared.ts';
import { machineOptions, machineUsage, mediaOptions, mediaUsage, overridesFrom } from './media-options.ts';

export const validate = command({
  name: 'validate',
  usage: `usage: bootproof validate --profile P --image IMG --fs FS=VERSION [--fs FS2=VERSION] [options]
check a user's image and .fs files, then run the scenarios on them

  --image IMG            the disk image to check and boot (e.g. resflash-amd64.img)
  --image-version V      the version the image's default root reports (default: read at its first boot)
  --fs FS=VERSION        a root filesystem to upgrade to and the version it reports once booted;
                         a second --fs is the next upgrade (default: the first one again)
  --machines M[,M...]    the machines (also --machine; default: every one here that emulates the image's architecture)
  --scenario S[,S...]    the scenarios (default: all)
${mediaUsage.split('\n').filter((line) => !line.includes('--image')).join('\n')}
${machineUsage}
${crashStateUsage}
${matrixUsage}`,
  options: {
    'image-version': { type: 'string' },
    fs: { type: 'string', multiple: true },
    machines: { type: 'string' },
    machine: { type: 'string' },
    scenario: { type: 'string' },
    ...mediaOptions,
    ...machineOptions,
    ...crashStateOptions,
    ...matrixOptions,
  },
  async run(values) {
    if (!values.profile) throw new UsageError('validate needs --profile (fixture, openbsd-resflash or a .json file describing your target)');
    if (!values.image) throw new UsageError('validate needs --image, the disk image to check (e.g. resflash-amd64.img)');
    if (!values.fs?.length) throw new UsageError('validate needs --fs FS=VERSION, a root filesystem to upgrade to and its version (give --fs twice for two upgrades)');
    const fs = values.fs.map(parseVersionedFs);
    // The image is validate's own (with its A/B roots); the other media and overrides go to every machine.
    const overrides = await overridesFrom({ ...values, image: undefined });
    const profile = loadProfile(values.profile);
    const asked = (values.machines ?? values.machine)?.split(',').map((m) => loadVmConfig(m.trim()));
    const checked = await checkInputs({ profile, image: values.image, fs: fs.map((f) => f.path), machines: asked ?? [] });
    for (const note of checked.notes) console.log(`validate: ${note}`);
    const arch = checked.findings.architecture?.arch;
    const machines = asked ?? machineNames().map((m) => loadVmConfig(m)).filter((c) => (!arch || c.arch === arch) && !missingOnHost(c));
    if (machines.length === 0) throw new UsageError(`validate: no machine here emulates ${arch ?? 'this image'}: see bootproof machines`);
    console.log(`validate: the inputs look right; running on ${machines.map((m) => m.name).join(', ')}`);
    return runMatrix(
      { ...values, out: values.out ?? join('reports', `validate-${timestamp()}`) },
      {
        name: 'validate',
        scenarios: values.scenario?.split(',') ?? scenarioNames(),
        machines: machines.map((m) => m.file),
        overrides,
        settings: {
          BOOTPROOF_IMAGE: resolve(values.image),
          BOOTPROOF_FS: JSON.stringify(fs.map((f) => ({ path: resolve(f.path), version: f.version }))),
          ...(values['image-version'] ? { BOOTPROOF_IMAGE_VERSION: values['image-version'] } : {}),
          ...crashStateSettings(values),
        },
      },
    );
  },
});
