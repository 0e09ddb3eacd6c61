import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/store/sqlite/index.js';
import { describeStore } from './conformance.js';
import { describePrivacyStore } from './privacy-conformance.js';

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

describePrivacyStore('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'batchkeys-privacy-'));
  const store = new SqliteStore(join(dir, 'batchkeys.db'), { backgroundCheckpoints: true });
  return {
    store,
    // The database file and whatever SQLite keeps beside it (WAL, shared memory), byte for byte.
    async rawContains(text: string) {
      const needle = Buffer.from(text);
      return readdirSync(dir).some((f) => readFileSync(join(dir, f)).includes(needle));
    },
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
