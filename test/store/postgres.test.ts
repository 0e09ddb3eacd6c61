import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateStores } from '../../server/cli/store-commands.js';
import { newId } from '../../server/domain/ids.js';
import type { License } from '../../server/domain/types.js';
import { summarize } from '../../server/store/dump.js';
import { PostgresStore } from '../../server/store/postgres/index.js';
import { SqliteStore } from '../../server/store/sqlite/index.js';
import { freshDatabase } from '../helpers/postgres.js';
import { describeStore } from './conformance.js';

describeStore('PostgreSQL', async () => {
  const db = await freshDatabase('conformance');
  const store = await PostgresStore.open(db.url);
  return {
    store,
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
});

describe('PostgreSQL store, several processes on one database', () => {
  it('five stores opening a new database at once migrate it once, without a race', async () => {
    const db = await freshDatabase('migrate');
    const stores = await Promise.all(Array.from({ length: 5 }, () => PostgresStore.open(db.url, { max: 2 })));
    try {
      const { rows } = await stores[0]!.pool.query<{ version: number }>('SELECT version FROM batchkeys_schema ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([1]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await db.drop();
    }
  });

  it('shares rate-limit counters between stores', async () => {
    const db = await freshDatabase('ratelimit');
    const [a, b] = await Promise.all([PostgresStore.open(db.url, { max: 2 }), PostgresStore.open(db.url, { max: 2 })]);
    try {
      const ca = await a.rateLimitCounters('rl_test', 120);
      const cb = await b.rateLimitCounters('rl_test', 120);
      await Promise.all([ca.consume('ip', 1), cb.consume('ip', 1), ca.consume('ip', 1)]);
      expect((await cb.get('ip'))?.consumedPoints).toBe(3);
      await cb.reward('ip', 1);
      expect((await ca.get('ip'))?.consumedPoints).toBe(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });
});

/** A SQLite store holding one of each kind of record, with metadata whose key order matters. */
async function populatedSqlite(file: string): Promise<SqliteStore> {
  const s = new SqliteStore(file);
  const t = Date.parse('2026-06-01T12:00:00Z');
  const acc = { id: newId('acc'), name: 'A', status: 'active' as const, operator: true, createdAt: t, updatedAt: t };
  await s.createAccount(acc);
  await s.createToken({ id: newId('tok'), accountId: acc.id, name: 't', scopes: ['admin'], hash: randomBytes(16).toString('hex'), createdAt: t, lastUsedAt: null, revokedAt: null });
  const prd = { id: newId('prd'), accountId: acc.id, name: 'P', slug: 'p', keyPrefix: null, metadata: { z: 1, a: [true, null] }, createdAt: t, updatedAt: t };
  await s.createProduct(prd);
  await s.createPolicy({ id: newId('pol'), accountId: acc.id, productId: prd.id, name: 'Pol', durationDays: 365, lock: 'domain', maxActivations: 2, tokens: 9, createdAt: t, updatedAt: t });
  const licenses: License[] = Array.from({ length: 2500 }, (_, i) => ({
    id: newId('lic', t + i), accountId: acc.id, productId: prd.id, productSlug: 'p', policyId: null, keyDigest: randomBytes(32).toString('hex'),
    keyEncrypted: 'sealed', status: 'active', expiresAt: null, durationDays: null, lock: 'domain', maxActivations: 3, activationCount: 0,
    tokensRemaining: 10, tokensTotal: 10, email: `b${i}@example.com`, name: null, metadata: { b: i, a: 'x' }, createdAt: t, updatedAt: t,
  }));
  await s.importLicenses((async function* () { yield* licenses; })());
  const digest = licenses[0]!.keyDigest;
  await s.activate({ digest, id: newId('act'), now: t, plan: () => ({ domain: 'a.com', device: null, label: 'A', development: false }) });
  await s.consume({ digest, amount: 3, idempotencyKey: 'job', ledgerId: newId('led'), now: t,
    render: () => ({ status: 200, body: Buffer.from([0, 1, 2, 255]) }) });
  return s;
}

describe('PostgreSQL store, migration and backup', () => {
  it('takes a SQLite store in and gives it back identical (counts and digests), and refuses to fill a non-empty store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-pgdump-'));
    const db = await freshDatabase('dump');
    const source = await populatedSqlite(join(dir, 'a.db'));
    const pgStore = await PostgresStore.open(db.url, { max: 2 });
    const back = new SqliteStore(join(dir, 'b.db'));
    try {
      await migrateStores(source, pgStore, false);
      await migrateStores(pgStore, back, false);
      const [a, b] = await Promise.all([summarize(source.dump()), summarize(back.dump())]);
      expect(b).toEqual(a);
      expect(a.counts).toMatchObject({ license: 2500, activation: 1, ledger: 2501, idempotency: 1 });
      expect(await pgStore.counts()).toEqual(a.counts);
      await expect(pgStore.restore(source.dump())).rejects.toThrow(/not empty/);
    } finally {
      await Promise.all([source.close(), pgStore.close(), back.close()]);
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
