// `bootproof fixture build`: builds (or reuses) a fixture image and prints its folder.
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { checkFixtureRequest, ensureFixture, fixtureArches, fixtureShapes, fixtureVariants } from '../fixture/fixture.ts';
import { command } from './command.ts';

export const fixtureBuild = command({
  name: 'fixture build',
  usage: `usage: bootproof fixture build --arch A [--variant V] [--shape S] [--out DIR]
build (or reuse) a fixture image, print its folder

  --arch A               ${fixtureArches.join(', ')}
  --variant V            fixture variant (${fixtureVariants.join(', ')})
  --shape S              image layout and console dialect (${fixtureShapes.join(', ')}; default resflash-linux)
  --out DIR              build into DIR (default: the cache, ~/.cache/bootproof)`,
  options: { arch: { type: 'string' }, variant: { type: 'string' }, shape: { type: 'string' }, out: { type: 'string' } },
  async run(values) {
    if (!values.arch) throw new UsageError(`fixture build needs --arch (${fixtureArches.join(', ')})`);
    const { arch, variant, shape } = checkFixtureRequest(values.arch, values.variant ?? 'normal', values.shape);
    const fixture = await ensureFixture(arch, variant, { shape, out: values.out ? resolve(values.out) : undefined });
    console.log(fixture.dir);
    return 0;
  },
});
