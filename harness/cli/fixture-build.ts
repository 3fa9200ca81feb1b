// `bootproof fixture build`: builds (or reuses) a fixture image and prints its folder.
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { checkFixtureRequest, ensureFixture, fixtureArches, fixtureVariants } from '../fixture/fixture.ts';
import { command } from './command.ts';

export const fixtureBuild = command({
  name: 'fixture build',
  usage: `usage: bootproof fixture build --arch A [--variant V] [--out DIR]
build (or reuse) a fixture image, print its folder

  --arch A               ${fixtureArches.join(', ')}
  --variant V            fixture variant (${fixtureVariants.join(', ')})
  --out DIR              build into DIR (default: the cache, ~/.cache/bootproof)`,
  options: { arch: { type: 'string' }, variant: { type: 'string' }, out: { type: 'string' } },
  async run(values) {
    if (!values.arch) throw new UsageError(`fixture build needs --arch (${fixtureArches.join(', ')})`);
    const { arch, variant } = checkFixtureRequest(values.arch, values.variant ?? 'normal');
    const fixture = await ensureFixture(arch, variant, values.out ? resolve(values.out) : undefined);
    console.log(fixture.dir);
    return 0;
  },
});
