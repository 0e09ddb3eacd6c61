import type { TestDatabase } from '../../server/devtools/pg-cluster.js';
import { createDatabase } from '../../server/devtools/pg-cluster.js';

export { createDatabase, startPostgres, postgresBinDir, type PostgresServer, type TestDatabase } from '../../server/devtools/pg-cluster.js';

/** In a test file: a fresh database on the run's PostgreSQL (started by the global setup). */
export async function freshDatabase(label: string): Promise<TestDatabase> {
  // Imported here, not above: the global setup imports this file, and vitest's test API cannot load there.
  const { inject } = await import('vitest');
  const server = inject('postgres') as PostgresInfo | undefined;
  if (!server) throw new Error('no PostgreSQL for the tests: test/helpers/postgres-global-setup.ts must be in globalSetup (vitest.config.ts)');
  if ('error' in server) throw new Error(server.error);
  return createDatabase(server.url, label);
}

export type PostgresInfo = { url: string } | { error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresInfo;
  }
}
