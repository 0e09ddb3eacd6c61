import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/store/sqlite/index.js';
import { describeStore } from './conformance.js';

describeStore('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'batchkeys-store-'));
  const store = new SqliteStore(join(dir, 'batchkeys.db'), { backgroundCheckpoints: true });
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
