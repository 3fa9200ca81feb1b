// The host-side damages a profile's fail-fast pattern may name as what provokes it (harness/image/damage.ts makes them).
export const damages = {
  'root-unreadable': 'the first 128 KiB of the root boot.conf names zeroed: no superblock, so the loader cannot open its kernel',
  'cfg-unmountable': "/cfg's first 4 KiB zeroed: no superblock, so it cannot be mounted",
  'cfg-inconsistent': "/cfg's (ext2/3/4) free-block count of group 0 made wrong: it mounts, but a read-only fsck fails",
  'init-unreadable': "the block addresses of the root's /sbin/init (FFS) pointed past the partition's end: the file cannot be read",
  'init-not-executable': "the first block of the file the root's /sbin/init resolves to zeroed: no program the kernel can start",
} as const;

export type Damage = keyof typeof damages;
export const damageNames = Object.keys(damages) as [Damage, ...Damage[]];
