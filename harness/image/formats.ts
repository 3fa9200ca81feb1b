// The image formats `inspect` knows, tried in order: formats with a magic number at a fixed place before the MBR,
// whose only mark (55 aa at byte 510) another format's header could carry by chance.
import type { ImageFormat } from './format.ts';
import { mbrDiskFormat } from './mbr-disk.ts';
import { ramdiskImageFormat } from './ramdisk-image.ts';

export const imageFormats: ImageFormat<any>[] = [ramdiskImageFormat, mbrDiskFormat];
