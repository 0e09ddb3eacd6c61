import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../server/store/dump.js';
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

describe('SQLite store, request log file', () => {
  it('keeps the request log in a file of its own, which backups carry along', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-rqlog-'));
    const store = new SqliteStore(join(dir, 'batchkeys.db'), { backgroundCheckpoints: true });
    try {
      const at = Date.parse('2026-06-01T12:00:00Z');
      await store.appendRequests(Array.from({ length: 50 }, (_, i) => ({
        at: at + i, accountId: null, licenseId: null, action: 'validate' as const, code: 'NOT_FOUND', status: 404,
        ip: '192.0.2.9', domain: null, device: null, tokens: null, latencyMs: 1,
      })));
      expect((await store.listRequests({ accountId: null, limit: 100 })).length).toBe(50);
      expect(readdirSync(dir)).toContain('batchkeys-requests.db');
      await store.backup(join(dir, 'copy.db'));
      const copy = new SqliteStore(join(dir, 'copy.db'), { readonly: true });
      try {
        expect(await summarize(copy.dump())).toEqual(await summarize(store.dump()));
        expect((await copy.counts()).request).toBe(50);
      } finally {
        await copy.close();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
