import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newId } from '../../server/domain/ids.js';
import { summarize } from '../../server/store/dump.js';
import { SqliteStore } from '../../server/store/sqlite/index.js';
import { account, describeStore, keyDigest, license, NOW, product } from './conformance.js';
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

describe('SQLite store, WAL under a steady write load', () => {
  it('keeps the WAL bounded when commits never pause long enough for a passive checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-wal-'));
    const file = join(dir, 'batchkeys.db');
    // Restart past 500 frames (1 MB); without the restart this load leaves a WAL of ~100 MB.
    const store = new SqliteStore(file, { backgroundCheckpoints: true, checkpoints: { intervalMs: 50, restartFrames: 500 } });
    try {
      const acc = account();
      await store.createAccount(acc);
      const prd = product(acc.id, 'w');
      await store.createProduct(prd);
      const made = Array.from({ length: 2000 }, () => license(prd, { tokensRemaining: 1_000_000, tokensTotal: 1_000_000 }));
      await store.importLicenses((async function* () {
        for (const m of made) yield m.license;
      })());
      const digests = made.map((m) => keyDigest(m.key));
      const render = () => ({ status: 200, body: Buffer.from('{}') });
      let largest = 0;
      let consumed = 0;
      // Back-to-back group commits of 64 consumes each, as a busy server issues them, for 2.5 s.
      for (const end = Date.now() + 2500; Date.now() < end;) {
        await Promise.all(Array.from({ length: 64 }, (_, i) => store.consume({
          digest: digests[(consumed + i) % digests.length]!, amount: 1, idempotencyKey: null, ledgerId: newId('led'), now: NOW, render,
        })));
        consumed += 64;
        largest = Math.max(largest, statSync(`${file}-wal`).size);
      }
      expect(consumed).toBeGreaterThan(10_000);
      // Each consume writes about 6 KiB of WAL: the log was restarted many times over.
      expect(consumed * 4096).toBeGreaterThan(8 * largest);
      expect(largest).toBeLessThan(16 * 1024 * 1024);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
