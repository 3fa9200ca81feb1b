// `bootproof image pack`: a ramdisk image behind a checksummed header, as Oxide's mkimage writes it.
import { UsageError } from '../errors.ts';
import { packRamdiskImage } from '../image/ramdisk-image.ts';
import { lookimageLines } from '../image/ramdisk-header.ts';
import { command } from './command.ts';
import { parseSize } from './shared.ts';

export const imagePack = command({
  name: 'image pack',
  usage: `usage: bootproof image pack --in RAW --out IMG [--compress] [--name N] [--dataset D] [--target-size SIZE]
pack a ramdisk image behind a checksummed header (magic 0x1DEB0075)

  --in RAW               the ramdisk to pack
  --out IMG              the packed image to write
  --compress             zlib-compress the data
  --name N               the image name (default: the input's file name)
  --dataset D            the dataset name (default rpool/ROOT/ramdisk)
  --target-size SIZE     e.g. 4294967296, 64M or 4G (default: the image size rounded up to a MiB)`,
  options: {
    in: { type: 'string' },
    out: { type: 'string' },
    compress: { type: 'boolean' },
    name: { type: 'string' },
    dataset: { type: 'string' },
    'target-size': { type: 'string' },
  },
  async run(values) {
    if (!values.in || !values.out) throw new UsageError('image pack needs --in RAW and --out IMG (see bootproof image pack --help)');
    const header = await packRamdiskImage(values.in, values.out, {
      compress: values.compress ?? false,
      name: values.name,
      dataset: values.dataset,
      targetSize: values['target-size'] === undefined ? undefined : parseSize('--target-size', values['target-size']),
    });
    console.log(`packed ${values.out}`);
    console.log(lookimageLines(header).join('\n'));
    return 0;
  },
});
