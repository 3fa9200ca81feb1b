// The public API: what `import ... from 'bootproof'` gives a scenario file. Every name here is a contract (README,
// "The exported API"); anything else under harness/ may change.

// Declaring scenarios and what their bodies get.
export { scenario, type ScenarioBody } from './scenario/scenario.ts';
export type { ScenarioMeta } from './scenario/selection.ts';
export type { TestMachine } from './scenario/test-machine.ts';
export { startStates, type StartState } from './scenario/start-states.ts';
export type { ExecutionContext } from 'ava';
export type { VmConfig } from './config/vm-config.ts';
export type { BootMedia, MachineOverrides } from './config/boot-media.ts';
export type { TargetProfile } from './config/profile.ts';
export type { Fixture } from './fixture/fixture.ts';
export type { Machine } from './machine/machine.ts';
export type { BootPath, BootState } from './boot/boot-path.ts';
export type { Shell, CommandResult } from './boot/shell.ts';
export type { Console, WaitOptions, Match } from './console/console.ts';
export { AnsiStripper } from './console/ansi.ts';
export type { BootRecord, BootWitnesses, StepRecord, CrashStateRow, StartedFrom } from './results/model.ts';

// Filling a target profile's command templates.
export { fill } from './config/profile.ts';

// Files and disks on the host.
export { sha256File, sha256Ranges } from './disk/sha256.ts';
export { createTempFolder, type TempFolder } from './qemu/temp-folder.ts';
export { readPartitions, type Partition } from './disk/mbr.ts';
export { findPartition, type PartitionExtent } from './disk/root-partition.ts';
export { makeBadInputs, type BadInputs } from './disk/bad-inputs.ts';
export { makeDamagedImage, type DamagedImage } from './image/damage.ts';
export { damages, type Damage } from './config/damages.ts';

// Recorded disk writes (QEMU blklogwrites) and the crash states they allow.
export { readWriteLog, replay, flushPoints, findMarks, phaseAt, type WriteLog, type Mark, type ReplayRange, type Extent } from './disk/write-log.ts';
export { StateImage } from './disk/state-image.ts';
export { ChunkHashes } from './disk/chunk-hashes.ts';
export { crashStates, countKinds, boundStates, crashStateKinds, type CrashState, type CrashStateKind, type CrashStateOptions } from './disk/crash-states.ts';
export { bootLayout, bootConfSectors, bootContent, type BootLayout, type BootContent } from './image/boot-content.ts';

// Packed ramdisk images, and serving one from a machine's boot server.
export { packRamdiskImage, verifyRamdiskImage, type PackOptions } from './image/ramdisk-image.ts';
export type { RamdiskHeader } from './image/ramdisk-header.ts';
export { servePackedImage } from './net/packed-image.ts';
export type { BootServer } from './net/boot-server.ts';

// Error kinds, to tell a failure of the image from one of the host.
export * from './errors.ts';
