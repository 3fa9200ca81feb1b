// `bootproof inspect IMG`: what an image holds, read without booting it.
import { UsageError } from '../errors.ts';
import { inspectImage } from '../image/inspect.ts';
import { command } from './command.ts';

export const inspect = command({
  name: 'inspect',
  usage: `usage: bootproof inspect IMG [--json]
what an image holds: partitions, filesystems, boot.conf, checksums;
for a packed ramdisk image, the header as lookimage prints it, verified

  --json                 print the findings as JSON, for scripts`,
  options: { json: { type: 'boolean' } },
  positionals: true,
  async run(values, images) {
    if (images.length !== 1) throw new UsageError('inspect needs exactly one image: bootproof inspect IMG [--json]');
    const found = await inspectImage(images[0]!);
    if (values.json) {
      const { lines: _lines, ...data } = found;
      console.log(JSON.stringify(data, null, 2));
    } else {
      console.log(found.lines.join('\n'));
    }
    return 0;
  },
});
