#!/usr/bin/env node
// Command line for the local WordPress used by `npm start`, the tests and CI.
//   node scripts/wp/cli.mjs provision        install/download everything into .cache/wordpress
import { provision } from './provision.mjs';

const [command] = process.argv.slice(2);
const started = Date.now();
try {
  if (command === 'provision') {
    await provision();
    console.error(`[wordpress] provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    console.error('usage: node scripts/wp/cli.mjs provision');
    process.exit(2);
  }
} catch (err) {
  console.error(`[wordpress] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
