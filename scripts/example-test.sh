#!/usr/bin/env bash
# The example project as a user gets it: bootproof packed with npm pack, examples/memtest copied into a new empty
# folder outside the checkout, the tarball installed there with npm install, the example's setup, and
# `npx bootproof run` on both of its machines. Fails if any step fails. Usage: scripts/example-test.sh [OUT]
# (the report folder; default reports/example-<time>).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/reports/example-$(date -u +%Y%m%d-%H%M%S)}
case $out in /*) ;; *) out=$PWD/$out ;; esac
pack=$(mktemp -d "${TMPDIR:-/tmp}/bootproof-pack-XXXXXX")
user=$(mktemp -d "${TMPDIR:-/tmp}/bootproof-example-XXXXXX")
trap 'rm -rf "$pack" "$user"' EXIT

echo "example: the packed file list (scripts/package-files.test.ts)" >&2
(cd "$root" && npx ava scripts/package-files.test.ts)
echo "example: npm pack into $pack" >&2
tarball=$(cd "$root" && npm pack --silent --pack-destination "$pack")
tarball=$pack/$tarball

echo "example: examples/memtest copied into $user, bootproof installed from $(basename "$tarball")" >&2
(cd "$root/examples/memtest" && tar --exclude=./node_modules --exclude=./memtest86+ --exclude=./reports --exclude=./package-lock.json -cf - .) | (cd "$user" && tar -xf -)
cd "$user"
# The example names bootproof by its place in the checkout, the folder two up; a user's project names the tarball.
npm pkg set "devDependencies.bootproof=file:$tarball"
npm install --no-audit --no-fund --loglevel=error
[ -L node_modules/bootproof ] && { echo "example: node_modules/bootproof is a link, not the installed tarball" >&2; exit 1; }

echo "example: setup (Debian's memtest86+)" >&2
npm run --silent setup

echo "example: npx bootproof run on memtest-bios and memtest-uefi, report in $out" >&2
npx bootproof run --machine memtest-bios,memtest-uefi --scenario memtest --profile generic -j 1 --out "$out"
