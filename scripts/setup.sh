#!/usr/bin/env bash
# Installs what bootproof needs on a Debian 12 machine: system packages, npm packages, the fixture images
# (from the host's packages and Debian packages the build downloads: every kernel, and other architectures' tools).
# Each step is skipped when already done, so running it before every command costs about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  qemu-system-x86 qemu-utils ovmf seabios ipxe-qemu
  qemu-system-mips u-boot-qemu u-boot-tools binutils
  qemu-system-ppc
  grub-pc-bin grub-efi-amd64-bin grub-common
  mtools dosfstools e2fsprogs e2fsck-static fdisk cpio busybox-static kmod fakeroot zstd makefs
  chromium fonts-liberation fonts-dejavu-core
)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Architectures whose Debian packages the fixture builds download (apt-get download, never installed).
foreign_arches=(mips64el ppc64el)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
update_needed=false
[ ${#missing[@]} -eq 0 ] || update_needed=true
for arch in "${foreign_arches[@]}"; do
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    echo "setup: adding the Debian architecture $arch (for the $arch fixture's packages)" >&2
    as_root dpkg --add-architecture "$arch"
    update_needed=true
  fi
done
if $update_needed; then
  # A transient index error ("Mirror sync in progress?") leaves the other lists usable: only the install decides.
  as_root apt-get update -o DPkg::Lock::Timeout=600 >&2 || echo "setup: apt-get update reported errors; trying the install anyway" >&2
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >&2
fi

# Installed as a package (no package-lock.json of its own), npm has installed the npm packages already.
if [ -f package-lock.json ] && { [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund >&2
fi

echo "setup: fixture images (built once, then cached)" >&2
# powerpc (mac99, loader only) is built from the ppc64el packages.
for arch in amd64 "${foreign_arches[@]}" powerpc; do
  node bin/bootproof.js fixture build --arch "$arch" >&2
done
# The openbsd-resflash profile's image: OpenBSD's layout and console lines (amd64).
node bin/bootproof.js fixture build --arch amd64 --shape openbsd >&2
