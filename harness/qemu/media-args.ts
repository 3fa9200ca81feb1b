// QEMU's arguments for a machine's boot media: a CD-ROM and a floppy (both read-only) and a direct kernel boot.
import type { BootMedia } from '../config/boot-media.ts';

/** `cdrom` places the CD-ROM on its own device with that boot index (see boot-order.ts). */
export function mediaArgs(media: BootMedia, cdrom?: { device: string; bootIndex: number }): string[] {
  const args: string[] = [];
  if (media.cdrom && cdrom) {
    args.push('-drive', `file=${media.cdrom},format=raw,if=none,id=bp-cdrom,media=cdrom,readonly=on`);
    args.push('-device', `${cdrom.device},drive=bp-cdrom,bootindex=${cdrom.bootIndex}`);
  } else if (media.cdrom) args.push('-drive', `file=${media.cdrom},format=raw,media=cdrom,readonly=on`);
  if (media.floppy) args.push('-drive', `file=${media.floppy},format=raw,if=floppy,readonly=on`);
  if (media.kernel) {
    args.push('-kernel', media.kernel);
    if (media.initrd) args.push('-initrd', media.initrd);
    if (media.append) args.push('-append', media.append);
  }
  return args;
}
