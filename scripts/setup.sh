#!/usr/bin/env bash
# Installs what bootproof needs on a Debian 12 machine: system packages, npm packages, the amd64 fixture image.
# Each step is skipped when already done, so running it before every command costs about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  qemu-system-x86 qemu-utils ovmf seabios
  grub-pc-bin grub-efi-amd64-bin grub-common
  mtools dosfstools e2fsprogs e2fsck-static fdisk cpio busybox-static kmod fakeroot zstd
  linux-image-amd64
  chromium fonts-liberation fonts-dejavu-core
)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  # A transient index error ("Mirror sync in progress?") leaves the other lists usable: only the install decides.
  as_root apt-get update -o DPkg::Lock::Timeout=600 >&2 || echo "setup: apt-get update reported errors; trying the install anyway" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund >&2
fi

echo "setup: fixture image (built once, then cached)" >&2
node bin/bootproof.js fixture build --arch amd64 >&2
