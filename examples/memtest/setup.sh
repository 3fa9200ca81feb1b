#!/usr/bin/env bash
# Fetches Debian's memtest86+ package and unpacks it into memtest86+/ next to this script (no root needed, no
# install: apt-get download and dpkg-deb -x). Also makes the empty disk the machines attach, so that no fixture
# image is built for them.
set -euo pipefail
cd "$(dirname "$0")"
out=memtest86+
if [ -f "$out/boot/memtest86+x64.bin" ] && [ -f "$out/boot/memtest86+x64.efi" ] && [ -f "$out/blank.img" ]; then
  echo "setup: $out/ is there already" >&2
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current folder; as root it warns that _apt cannot write there, which is harmless.
(cd "$work" && apt-get download memtest86+ 2>&1 | grep -v 'Download is performed unsandboxed' >&2 || true)
deb=$(ls "$work"/memtest86+_*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
  echo "setup: apt-get download memtest86+ fetched nothing; run apt-get update (Debian 12 has memtest86+ 6.10-4)" >&2
  exit 1
fi
rm -rf "$out"
dpkg-deb -x "$deb" "$out"
truncate -s 1M "$out/blank.img"
echo "setup: $(basename "$deb") unpacked into $out/ ($(ls "$out/boot" | tr '\n' ' '))" >&2
