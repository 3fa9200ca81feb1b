// The architecture on one page: bootproof's layers, lowest first. A module may import from its own layer and
// from the layers listed before it, never from one listed after it, and no import cycle is allowed anywhere.
// `npm test` checks this (npm run layers).
const layers = [
  ['base', 'harness/(errors|deadline|atomic|seeded-random)\\.ts$'], //        error kinds, deadlines, atomic file writes, seeded random numbers
  ['config', 'harness/config/'], //                               vm-configs, target profiles, key names
  ['results', 'harness/results/'], //                             the result model: records, boots, run info
  ['qemu', 'harness/qemu/'], //                                   argv, process, QMP, checkpoints, accelerator
  ['disk', 'harness/disk/'], //                                   overlays, partition tables, write logs
  ['image', 'harness/image/'], //                                 what an image holds: formats, inspect, checks
  ['fixture', 'harness/fixture/'], //                             the built-in fixture images
  ['net', 'harness/net/'], //                                     boot server, metadata service, captures
  ['console', 'harness/console/'], //                             the Console: stream and screen views, waits
  ['machine', 'harness/machine/'], //                             one QEMU machine: its files, services, lifecycle
  ['boot', 'harness/boot/'], //                                   boot paths: firmware, loader, kernel, shell
  ['scenario', 'harness/(scenario/|index\\.ts$)'], //            the scenario API a test file imports
  ['report', 'harness/report/'], //                               JSON, JUnit and HTML views of the results
  ['runner', 'harness/runner/'], //                               the matrix: collection, ava runs, retries
  ['interactive', 'harness/interactive/'], //                     console and replay at a person's terminal
  ['cli', 'harness/cli/'], //                                     the bootproof command
];

const later = (index) => layers.slice(index + 1).map(([, path]) => `(${path})`).join('|');

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    ...layers.slice(0, -1).map(([name, path], index) => ({
      name: `${name}-imports-only-lower-layers`,
      comment: `${name} may not import from a layer listed after it in .dependency-cruiser.cjs`,
      severity: 'error',
      from: { path, pathNot: '\\.test\\.ts$|/testdata/' },
      to: { path: later(index) },
    })),
    {
      name: 'every-module-in-a-layer',
      comment: 'a new folder under harness/ needs its place in the layer list (test helpers in harness/testdata/ excepted)',
      severity: 'error',
      from: { path: '^harness/', pathNot: [...layers.map(([, path]) => `(${path})`), '(^harness/testdata/)'].join('|') },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^harness/',
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
