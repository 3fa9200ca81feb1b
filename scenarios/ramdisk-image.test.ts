// ramdisk-image: the boot server serves the initramfs from a packed, checksummed ramdisk image (mkimage format):
// a corrupt image is refused before boot with the reason, an intact one boots.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scenario, packRamdiskImage, servePackedImage } from 'bootproof';

scenario(
  {
    name: 'ramdisk-image',
    description: 'The initramfs served from a packed ramdisk image: a flipped byte is refused before boot with the reason; the intact image boots root d',
    depth: 'full',
    needs: ['ab-roots', 'network'],
    ci: ['amd64-ipxe', 'mips64-uboot'],
    timeoutMinutes: 5,
  },
  async (t, vm) => {
    const server = vm.machine.bootServer;
    const folder = vm.machine.options.artifactDir;
    const packed = join(folder, 'initrd.packed');
    const header = await vm.step('pack the initramfs (zlib)', () =>
      packRamdiskImage(join(vm.fixture.dir, 'initrd.img'), packed, { compress: true, name: 'fixture-initrd' }),
    );
    t.log(`packed: ${header.dataSize} bytes for an image of ${header.imageSize}, sum ${header.sha256}`);

    const corrupt = join(folder, 'initrd-flipped.packed');
    const bytes = await readFile(packed);
    bytes[bytes.length >> 1]! ^= 0x01;
    await writeFile(corrupt, bytes);
    const refusal = await t.throwsAsync(() => servePackedImage(server, corrupt, 'initrd.img'));
    t.regex(refusal?.message ?? '', /packed image .*initrd-flipped\.packed is refused: (compressed data is corrupt|image sum)/, `a packed image with a flipped byte is refused, naming the damage: ${refusal?.message}`);
    t.log(`refused as it should: ${refusal?.message}`);

    await vm.step('verify and serve the intact image', () => servePackedImage(server, packed, 'initrd.img'));
    await vm.step('power on and boot to a shell', () => vm.boot.reach('shell'));
    vm.expectBooted(t, { device: 'hd0d', version: vm.version(1) }, 'booted from the packed ramdisk, the image runs its own root d');
    const initrd = await server.fetches('initrd.img');
    t.is(initrd.length, 1, 'the firmware fetched the initramfs once');
    t.is(initrd[0]?.bytes, header.imageSize, 'the firmware got the image unpacked from the packed file, byte for byte the size its header names');
  },
);
