// ava's settings for the runner's test processes: package.json's, with the file order the runner chose
// (BOOTPROOF_FILE_ORDER, a JSON list of paths; see lanes.ts).
import { readFileSync } from 'node:fs';

const { ava } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const order = JSON.parse(process.env.BOOTPROOF_FILE_ORDER || '[]');
const rank = (file) => (order.includes(file) ? order.indexOf(file) : order.length);

export default {
  ...ava,
  sortTestFiles: (a, b) => rank(a) - rank(b),
  // Otherwise ava moves the files that failed in its last run to the front.
  cache: false,
  // Otherwise ava on CI (CI_NODE_INDEX, CIRCLE_NODE_INDEX, ...) runs only its slice of the files: --shard splits the matrix.
  utilizeParallelBuilds: false,
};
