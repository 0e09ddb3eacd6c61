import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The plugin screens' pure parts (query building, cursors, forms) are unit-tested here too.
    include: ['test/**/*.test.ts', 'plugin/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/helpers/postgres-global-setup.ts'],
    // Machine-readable results for CI's summary line (see .ci/run).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest.json' },
  },
});
