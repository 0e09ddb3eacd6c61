import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { migrateStores } from '../../server/cli/store-commands.js';
import { newId } from '../../server/domain/ids.js';
import type { License } from '../../server/domain/types.js';
import { summarize } from '../../server/store/dump.js';
import { AUDIT_GENESIS, type NewAuditEntry, type NewRequestLogEntry } from '../../server/store/privacy.js';
import { migrations } from '../../server/store/postgres/migrations.js';
import { PostgresStore } from '../../server/store/postgres/index.js';
import { SqliteStore } from '../../server/store/sqlite/index.js';
import { freshDatabase, postgresBinDir } from '../helpers/postgres.js';
import { account, describeStore, keyDigest, license, NOW, product } from './conformance.js';
import { describePrivacyStore } from './privacy-conformance.js';

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

/**
 * Every live row of the database, as `pg_dump --data-only` writes it (the server's own pg_dump,
 * so its version matches). pg_dump connects over TCP with the test cluster's trusted login, so
 * it needs no particular OS user.
 */
async function dumpText(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)(join(postgresBinDir(), 'pg_dump'), ['--data-only', `--dbname=${url}`],
    { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

describePrivacyStore('PostgreSQL', async () => {
  const db = await freshDatabase('privacy');
  const store = await PostgresStore.open(db.url);
  return {
    store,
    rawContains: async (text) => (await dumpText(db.url)).includes(text),
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
      expect(rows.map((r) => r.version)).toEqual(migrations.map((_, i) => i + 1));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await db.drop();
    }
  });

  it('two stores consuming the same keys in batches, in opposite orders, neither deadlock nor miscount', async () => {
    const db = await freshDatabase('batches');
    const [a, b] = await Promise.all([PostgresStore.open(db.url, { max: 4 }), PostgresStore.open(db.url, { max: 4 })]);
    try {
      const acc = account();
      await a.createAccount(acc);
      const prd = product(acc.id, 'b');
      await a.createProduct(prd);
      const made = Array.from({ length: 400 }, () => license(prd, { tokensRemaining: 1000, tokensTotal: 1000 }));
      for (const m of made) await a.createLicense(m.license);
      const digests = made.map((m) => keyDigest(m.key));
      const render = (d: { kind: string }) => ({ status: d.kind === 'ok' ? 200 : 409, body: Buffer.from(d.kind) });
      const consume = (store: PostgresStore, digest: string) =>
        store.consume({ digest, amount: 1, idempotencyKey: null, ledgerId: newId('led'), now: NOW, render });
      // Issued in one turn, each store's calls make one batch: every key twice (so two rounds), and
      // the two stores lock the same rows at the same time, in opposite orders.
      const calls: Array<Promise<unknown>> = [];
      for (let r = 0; r < 2; r++) {
        for (const d of [...digests, ...digests]) calls.push(consume(a, d));
        for (const d of [...digests, ...digests].reverse()) calls.push(consume(b, d));
      }
      const outcomes = (await Promise.all(calls)) as Array<{ kind: string; response?: { status: number } }>;
      expect(outcomes.filter((o) => o.kind === 'answer' && o.response?.status === 200)).toHaveLength(3200);
      const { rows } = await a.pool.query<{ left: number; entries: number }>(`SELECT sum(tokens_remaining)::int AS left,
        (SELECT count(*)::int FROM token_ledger WHERE reason = 'consume') AS entries FROM licenses`);
      expect(rows[0]).toEqual({ left: 400 * 1000 - 3200, entries: 3200 });
    } finally {
      await Promise.all([a.close(), b.close()]);
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

describe('PostgreSQL store, privacy records across servers and backups', () => {
  const t = Date.parse('2026-06-01T12:00:00Z');
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const seal = (prev: string, seq: number) => sha(`${prev}|${seq}`);
  const entry = (i: number): NewAuditEntry => ({
    at: t + i, accountId: null, actor: 'cli', action: 'test', target: null, ip: null, ipSalt: null, ipCommit: null, detail: { i },
  });

  it('two servers appending audit entries at once build one unbroken chain', async () => {
    const db = await freshDatabase('audit');
    const [a, b] = await Promise.all([PostgresStore.open(db.url, { max: 3 }), PostgresStore.open(db.url, { max: 3 })]);
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).appendAudit(entry(i), seal)));
      const chain = await a.listAudit({ limit: 100 });
      expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      let prev = AUDIT_GENESIS.hash;
      for (const e of chain) {
        expect(e.prevHash).toBe(prev);
        expect(e.hash).toBe(seal(prev, e.seq));
        prev = e.hash;
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });

  it('restores the request log, the audit chain and its anchor from a dump, and carries on after them', async () => {
    const [dbA, dbB] = await Promise.all([freshDatabase('privdump_a'), freshDatabase('privdump_b')]);
    const [a, b] = await Promise.all([PostgresStore.open(dbA.url, { max: 2 }), PostgresStore.open(dbB.url, { max: 2 })]);
    try {
      const acc = { id: newId('acc'), name: 'A', status: 'active' as const, operator: false, apiSuspendedAt: t, createdAt: t, updatedAt: t };
      await a.createAccount(acc);
      const request = (at: number): NewRequestLogEntry => ({
        at, accountId: acc.id, licenseId: null, action: 'validate', code: 'NOT_FOUND', status: 404, ip: '192.0.2.1', domain: null,
        device: null, tokens: null, latencyMs: 1.25,
      });
      await a.appendRequests([request(t), request(t + 1), request(t + 2)]);
      for (let i = 0; i < 4; i++) await a.appendAudit(entry(i), seal);
      await a.purge({ auditBefore: t + 1 }, 10, (ip) => ip);
      await a.createSubjectRequest({
        id: newId('dsr'), accountId: acc.id, kind: 'access', subjectKind: 'ip', subjectDigest: 'd', subjectEncrypted: 'e',
        receivedAt: t, dueAt: t + 1, instruction: null, status: 'completed', completedAt: t, artefact: { z: 1, a: 2 }, createdAt: t,
      });

      await b.restore(a.dump());
      expect(await summarize(b.dump())).toEqual(await summarize(a.dump()));
      expect(await b.counts()).toMatchObject({ request: 3, audit: 3, auditAnchor: 1, subjectRequest: 1 });
      expect((await b.getAccount(acc.id))?.apiSuspendedAt).toBe(t);
      const restored = await b.listRequests({ accountId: null, limit: 10 });
      await b.appendRequests([request(t + 3)]);
      const [newest] = await b.listRequests({ accountId: null, limit: 1 });
      expect(newest?.seq).toBeGreaterThan(restored[0]!.seq);
      const [last] = (await b.listAudit({ afterSeq: 3, limit: 10 }));
      expect(await b.appendAudit(entry(9), seal)).toMatchObject({ seq: 5, prevHash: last!.hash });
      expect(await b.auditAnchor()).toEqual(await a.auditAnchor());
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([dbA.drop(), dbB.drop()]);
    }
  });
});

/** A SQLite store holding one of each kind of record, with metadata whose key order matters. */
async function populatedSqlite(file: string): Promise<SqliteStore> {
  const s = new SqliteStore(file);
  const t = Date.parse('2026-06-01T12:00:00Z');
  const acc = { id: newId('acc'), name: 'A', status: 'active' as const, operator: true, apiSuspendedAt: null, createdAt: t, updatedAt: t };
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
