#!/usr/bin/env node
// The `bootproof` command. Loads the TypeScript CLI through tsx, so `npx bootproof` works without a build step.
import { register } from 'tsx/esm/api';

register();
const { cli } = await import('../harness/cli/main.ts');
process.exit(await cli(process.argv.slice(2)));
