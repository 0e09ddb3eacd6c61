#!/usr/bin/env node
// Thin launcher: the CLI is written in TypeScript and compiled to dist/ by `npm run build`
// (run automatically by `npm ci` through the `prepare` script).
import { main } from '../dist/cli/index.js';

main(process.argv).catch((err) => {
  console.error(`batchkeys: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
