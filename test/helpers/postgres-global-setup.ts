import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

/**
 * Starts one PostgreSQL for the whole test run and hands its URL to the test files
 * (`inject('postgres')`, through `freshDatabase`). `BATCHKEYS_TEST_DATABASE_URL` names an
 * existing server to use instead. When none can be started, only the tests that need one fail,
 * with the reason; the others still run.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.BATCHKEYS_TEST_DATABASE_URL;
  if (external) {
    project.provide('postgres', { url: external });
    return undefined;
  }
  try {
    const server = await startPostgres();
    project.provide('postgres', { url: server.url });
    return () => server.stop();
  } catch (err) {
    project.provide('postgres', { error: (err as Error).message });
    return undefined;
  }
}
