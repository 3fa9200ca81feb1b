#!/usr/bin/env bash
# The project's tests: type check, unit tests, the CI slice of the scenarios on real QEMU, the OpenBSD path, and the
# example project installed from the packed tarball as a user installs it (reports in reports/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "test: type check" >&2
npx tsc --noEmit -p .
echo "test: layers (.dependency-cruiser.cjs: no cycles, no import from a later layer)" >&2
npm run --silent layers
echo "test: unit tests" >&2
npx ava 'harness/**/*.test.ts'
echo "test: scenarios (CI slice: every scenario family, every machine at least once)" >&2
stamp=$(date -u +%Y%m%d-%H%M%S)
node bin/bootproof.js nightly --slice ci --profile fixture --out "reports/test-$stamp"
echo "test: the OpenBSD path (the openbsd-resflash profile on the OpenBSD-shaped fixture)" >&2
node bin/bootproof.js run --profile openbsd-resflash --machine amd64-bios --scenario boot,upgrade,failover,damaged-boot --out "reports/test-$stamp-openbsd"
echo "test: the OpenBSD path on UEFI (upgrade: OVMF, BOOTX64's boot>, the flip to root e and back)" >&2
node bin/bootproof.js run --profile openbsd-resflash --machine amd64-uefi --scenario upgrade --out "reports/test-$stamp-openbsd-uefi"
echo "test: the example project (examples/memtest from the npm pack tarball in an empty folder, on SeaBIOS and OVMF)" >&2
bash scripts/example-test.sh "reports/test-$stamp-example"
