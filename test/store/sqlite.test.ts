import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { newId } from '../../server/domain/ids.js';
import type { License } from '../../server/domain/types.js';
import { summarize } from '../../server/store/dump.js';
import { SqliteStore } from '../../server/store/sqlite/index.js';
import { migrations } from '../../server/store/sqlite/migrations.js';
import { PURGE_SQL } from '../../server/store/sqlite/privacy.js';
import { licenseParams } from '../../server/store/sqlite/rows.js';
import { licenseRequestsSql } from '../../server/store/sqlite/request-log-file.js';
import { licenseActivationsSql, targetHash } from '../../server/store/sqlite/identity.js';
import { SLOT_PROBES, stateRowSql, stateSlot, stateSlotSql } from '../../server/store/sqlite/state-slot.js';
import { StoreConflict } from '../../server/store/store.js';
import { account, describeStore, keyDigest, license, NOW, product } from './conformance.js';
import { describePrivacyStore } from './privacy-conformance.js';

describeStore('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'batchkeys-store-'));
  const store = new SqliteStore(join(dir, 'batchkeys.db'), { backgroundCheckpoints: true });
  return {
    store,
    callsSettled: true,
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

describe('SQLite store, retention purge', () => {
  it('finds each purge batch through an index, never by reading a whole table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-purge-'));
    const file = join(dir, 'batchkeys.db');
    await new SqliteStore(file).close(); // creates both files at the current schema
    const db = new Database(file, { readonly: true });
    const rq = new Database(join(dir, 'batchkeys-requests.db'), { readonly: true });
    try {
      const plan = (conn: Database.Database, sql: string) =>
        (conn.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 500) as Array<{ detail: string }>).map((r) => r.detail);
      const big = /^SCAN (licenses|license_state|activations|request_log)\b/;
      const cases: Array<[Database.Database, keyof typeof PURGE_SQL, RegExp]> = [
        [rq, 'requests', /SEARCH request_log USING (COVERING )?INDEX request_log_at/],
        [rq, 'requestIps', /SEARCH request_log USING INDEX request_log_ip_pending/],
        [db, 'activations', /SEARCH activations USING INDEX activations_deactivated/],
        [db, 'licenses', /SEARCH license_state USING COVERING INDEX license_state_expiry/],
      ];
      for (const [conn, name, uses] of cases) {
        const steps = plan(conn, PURGE_SQL[name]);
        expect(steps.filter((d) => big.test(d)), `${name}: ${steps.join(' | ')}`).toEqual([]);
        expect(steps.some((d) => uses.test(d)), `${name}: ${steps.join(' | ')}`).toBe(true);
      }
    } finally {
      db.close();
      rq.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite store, WAL under a steady write load', () => {
  it('keeps the WAL bounded when commits never pause long enough for a passive checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-wal-'));
    const file = join(dir, 'batchkeys.db');
    // Restart past 500 frames (1 MB).
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
      // Each consume writes about 3 KiB of WAL (a page and a half), some 400 MB over the run:
      // without the restart the file reaches ~650 MB; with it, it peaks at 13-30 MB here.
      expect(largest).toBeLessThan(48 * 1024 * 1024);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Inserts a license as migrations 4 to 7 shaped it: license_state keyed by the key digest. */
function insertLicenseV4(db: Database.Database, l: License): void {
  const p = licenseParams(l);
  db.prepare(`INSERT INTO licenses (id, account_id, product_id, policy_id, key_digest, key_encrypted, duration_days, email, name,
    metadata, created_at) VALUES (@id, @account_id, @product_id, @policy_id, @key_digest, @key_encrypted, @duration_days, @email,
    @name, @metadata, @created_at)`).run(p);
  db.prepare(`INSERT INTO license_state (key_digest, license_id, account_id, product_id, status, expires_at, lock, max_activations,
    activation_count, tokens_remaining, tokens_total, updated_at) VALUES (@key_digest, @id, @account_id, @product_id, @status,
    @expires_at, @lock, @max_activations, @activation_count, @tokens_remaining, @tokens_total, @updated_at)`).run(p);
}

/** A store file as release `version` left it (its migrations only), with an account and a product. */
function storeAtVersion(file: string, version: number) {
  const old = new Database(file);
  old.pragma('journal_mode = WAL');
  old.pragma('page_size = 2048');
  // Migration 7 calls the store's JS function (as SqliteStore registers it).
  old.function('bk_activation_target', { deterministic: true }, (domain: unknown, device: unknown) =>
    targetHash(domain === null ? null : String(domain), device === null ? null : String(device)));
  for (const m of migrations.slice(0, version)) old.exec(typeof m === 'string' ? m : m.sql);
  old.pragma(`user_version = ${version}`);
  const acc = account();
  const prd = product(acc.id, `v${version}`);
  old.prepare(`INSERT INTO accounts (id, name, status, operator, created_at, updated_at) VALUES (?, ?, 'active', 0, ?, ?)`)
    .run(acc.id, acc.name, NOW, NOW);
  old.prepare(`INSERT INTO products (id, account_id, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
    .run(prd.id, acc.id, prd.name, prd.slug, NOW, NOW);
  return { old, acc, prd };
}

describe('SQLite store, request log by license', () => {
  it('finds a license\'s entries through the index on its id\'s tail, and keeps ids sharing a tail apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-rqlicense-'));
    const file = join(dir, 'batchkeys.db');
    const rqFile = join(dir, 'batchkeys-requests.db');
    try {
      // A log made before the index changed: the old index on the whole id goes when it is opened.
      const old = new Database(rqFile);
      old.exec(`CREATE TABLE request_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, account_id TEXT, license_id TEXT,
        action TEXT NOT NULL, code TEXT NOT NULL, status INTEGER NOT NULL, ip TEXT, ip_anonymised INTEGER NOT NULL DEFAULT 0,
        domain TEXT, device TEXT, tokens INTEGER, latency_ms REAL NOT NULL);
        CREATE INDEX request_log_license ON request_log (license_id, seq);`);
      old.close();
      const store = new SqliteStore(file);
      const a = 'lic_AAAAAAAAAAAAAAAAA12345678';
      const b = 'lic_BBBBBBBBBBBBBBBBB12345678'; // the same last eight characters as `a`
      const c = 'lic_CCCCCCCCCCCCCCCCCCCCCCCC';
      const entry = (licenseId: string, at: number) => ({
        at, accountId: 'acc_1', licenseId, action: 'validate' as const, code: 'VALID', status: 200, ip: null,
        domain: null, device: null, tokens: null, latencyMs: 1,
      });
      await store.appendRequests([entry(a, 1), entry(b, 2), entry(a, 3), entry(c, 4), entry(b, 5)]);
      expect((await store.listRequests({ accountId: 'acc_1', licenseId: a, limit: 10 })).map((r) => r.at)).toEqual([3, 1]);
      expect((await store.listRequests({ accountId: 'acc_1', licenseId: b, limit: 10 })).map((r) => r.at)).toEqual([5, 2]);
      expect(await store.requestCounts('acc_1', a)).toEqual([{ action: 'validate', code: 'VALID', count: 2 }]);
      await store.close();

      const rq = new Database(rqFile, { readonly: true });
      try {
        const indexes = rq.prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'request_log'`).pluck().all();
        expect(indexes).toContain('request_log_license_tail');
        expect(indexes).not.toContain('request_log_license');
        for (const ids of [[a], [a, b, c]]) {
          const { sql, params } = licenseRequestsSql(ids);
          const plan = (rq.prepare(`EXPLAIN QUERY PLAN SELECT * FROM request_log WHERE ${sql}`).all(...params) as Array<{ detail: string }>)
            .map((r) => r.detail);
          expect(plan.some((d) => /SEARCH request_log USING INDEX request_log_license_tail/.test(d)), plan.join(' | ')).toBe(true);
          expect(plan.filter((d) => /^SCAN request_log\b/.test(d)), plan.join(' | ')).toEqual([]);
          expect((rq.prepare(`SELECT at FROM request_log WHERE ${sql} ORDER BY at`).pluck().all(...params))).toEqual(
            ids.length === 1 ? [1, 3] : [1, 2, 3, 4, 5]);
        }
      } finally {
        rq.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite store, schema migration 4 (license state split off)', () => {
  it('moves every license of a version-3 file into the two tables, keeping its activations, ledger and keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-migrate-'));
    const file = join(dir, 'batchkeys.db');
    try {
      // A store as the previous release left it: migrations 1-3 and rows in the one-table shape.
      const { old, acc, prd } = storeAtVersion(file, 3);
      const made = [
        license(prd, { lock: 'domain', maxActivations: 3, activationCount: 1, email: 'ann@example.com', name: 'Ann', metadata: { seat: 'a' } }),
        license(prd, { tokensRemaining: 40, tokensTotal: 50, expiresAt: NOW + 86_400_000, status: 'suspended', updatedAt: NOW + 5 }),
      ];
      const insert = old.prepare(`INSERT INTO licenses (id, account_id, product_id, policy_id, key_digest, key_encrypted, status,
        expires_at, duration_days, lock, max_activations, activation_count, tokens_remaining, tokens_total, email, name,
        metadata, created_at, updated_at) VALUES (@id, @account_id, @product_id, @policy_id, @key_digest, @key_encrypted,
        @status, @expires_at, @duration_days, @lock, @max_activations, @activation_count, @tokens_remaining, @tokens_total,
        @email, @name, @metadata, @created_at, @updated_at)`);
      for (const m of made) insert.run(licenseParams(m.license));
      const [seated, metered] = made.map((m) => m.license) as [License, License];
      old.prepare(`INSERT INTO activations (id, license_id, domain, device, label, development, created_at, last_seen_at)
        VALUES ('act_1', ?, 'example.com', NULL, NULL, 0, ?, ?)`).run(seated.id, NOW, NOW);
      old.prepare(`INSERT INTO token_ledger (license_id, id, delta, reason, created_at) VALUES (?, 'led_1', -10, 'consume', ?)`)
        .run(metered.id, NOW);
      old.close();

      const store = new SqliteStore(file, { backgroundCheckpoints: true });
      try {
        expect(store.db.pragma('user_version', { simple: true })).toBe(migrations.length);
        expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
        for (const l of [seated, metered]) {
          expect(await store.getLicense(acc.id, l.id)).toEqual(l);
          expect(await store.findLicenseByDigest(l.keyDigest)).toMatchObject({
            id: l.id, status: l.status, expiresAt: l.expiresAt, lock: l.lock, maxActivations: l.maxActivations,
            activationCount: l.activationCount, tokensRemaining: l.tokensRemaining, tokensTotal: l.tokensTotal, accountStatus: 'active',
          });
        }
        expect((await store.listActivations(acc.id, seated.id, true))?.map((a) => a.domain)).toEqual(['example.com']);
        expect((await store.counts()).ledger).toBe(1);
        const sorted = await store.listLicenses(acc.id, { limit: 10, now: NOW, sort: 'expiresAt', order: 'asc' });
        expect(sorted.items.map((l) => l.id)).toEqual([metered.id, seated.id]);
        // The old unique index on key_digest is gone: license_state keeps keys unique.
        await expect(store.createLicense({ ...license(prd).license, keyDigest: seated.keyDigest })).rejects.toBeInstanceOf(StoreConflict);
        // Deleting a license still takes its activations, and its state (trigger licenses_delete_state).
        expect(await store.deleteLicense(acc.id, seated.id)).toBe(true);
        expect(await store.findLicenseByDigest(seated.keyDigest)).toBeNull();
        expect((await store.counts()).activation).toBe(0);
        expect(store.db.prepare('SELECT count(*) AS n FROM license_state').get()).toEqual({ n: 1 });
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite store, activation identities (migration 7)', () => {
  it('finds an activation by its identity and a license\'s by its range, through the index; licenses whose prefixes collide stay apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-identity-'));
    const file = join(dir, 'batchkeys.db');
    try {
      // A version-6 store with activations in the old shape (no identity column yet).
      const { old, acc, prd } = storeAtVersion(file, 6);
      // a and b end in the same six characters: the same license prefix, the same identities.
      const [a, b, c] = [
        license(prd, { id: 'lic_0000000000000000000XYZ123', lock: 'domain', activationCount: 1, email: 'ann@example.com' }).license,
        license(prd, { id: 'lic_1111111111111111111XYZ123', lock: 'domain', activationCount: 1, email: null }).license,
        license(prd, { lock: 'device', activationCount: 1, email: null }).license,
      ];
      for (const l of [a, b, c]) insertLicenseV4(old, l);
      const act = old.prepare(`INSERT INTO activations (id, license_id, domain, device, label, development, created_at, last_seen_at,
        deactivated_at) VALUES (?, ?, ?, ?, NULL, 0, ?, ?, ?)`);
      act.run('act_a1', a.id, 'example.com', null, NOW, NOW, null);
      act.run('act_a2', a.id, null, 'dev-1', NOW, NOW, NOW);
      act.run('act_b1', b.id, 'example.com', null, NOW, NOW, null);
      act.run('act_c1', c.id, null, 'dev-1', NOW, NOW, null);
      old.close();

      const store = new SqliteStore(file);
      try {
        expect(store.db.pragma('user_version', { simple: true })).toBe(migrations.length);
        expect((await store.findActivation(a.id, { domain: 'example.com' }))?.id).toBe('act_a1');
        expect((await store.findActivation(b.id, { domain: 'example.com' }))?.id).toBe('act_b1');
        expect(await store.findActivation(a.id, { device: 'dev-1' })).toBeNull(); // deactivated
        expect((await store.findActivation(c.id, { device: 'dev-1' }))?.id).toBe('act_c1');
        expect(await store.findActivation(c.id, { domain: 'example.com' })).toBeNull();
        expect((await store.listActivations(acc.id, a.id, true))?.map((x) => x.id)).toEqual(['act_a1', 'act_a2']);
        expect((await store.listActivations(acc.id, b.id, false))?.map((x) => x.id)).toEqual(['act_b1']);

        // Every activation query of the store reaches its rows through activations_identity.
        const plan = (sql: string, ...params: unknown[]) =>
          (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
        const stmt = (store as unknown as { stmt: Record<string, Database.Statement> }).stmt;
        const exact = /SEARCH activations USING INDEX activations_identity \(identity=\?\)/;
        const range = /SEARCH (activations|a) USING INDEX activations_identity \(identity>\? AND identity<\?\)/;
        expect(plan(stmt.activeActivationByDomain!.source, 1, a.id, 'x')).toMatch(exact);
        expect(plan(stmt.activeActivationByDevice!.source, 1, a.id, 'x')).toMatch(exact);
        for (const sql of [
          `SELECT * FROM activations WHERE ${licenseActivationsSql('@license')} ORDER BY id`,
          `DELETE FROM activations WHERE ${licenseActivationsSql('@license')}`, // the delete trigger's, with OLD.id for @license
        ]) {
          const p = plan(sql, { license: a.id });
          expect(p).toMatch(range);
          expect(p).not.toMatch(/SCAN activations/);
        }

        // The subject erasure of an email finds the activations of the subject's licenses only.
        const erased = await store.eraseSubject(acc.id, { kind: 'email', value: 'ann@example.com' }, 'digest', NOW);
        expect(erased.activations).toBe(2);
        expect((await store.findActivation(b.id, { domain: 'example.com' }))?.id).toBe('act_b1');

        // Deleting a license takes its activations and no one else's, prefix shared or not.
        expect(await store.deleteLicense(acc.id, b.id)).toBe(true);
        expect(await store.findActivation(b.id, { domain: 'example.com' })).toBeNull();
        expect((await store.findActivation(c.id, { device: 'dev-1' }))?.id).toBe('act_c1');
        expect((await store.counts()).activation).toBe(1);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Key digests that all share one slot: the same first nine characters (see state-slot.ts). */
function sharedSlotDigests(n: number, stem = 'Zq3xY7KpQ'): string[] {
  return Array.from({ length: n }, (_, i) => `${stem}${String(i).padStart(2, '0')}${'x'.repeat(32)}`);
}

describe('SQLite store, license state slots (migration 8)', () => {
  /** A store at the current schema in a directory of its own, with an account and a product. */
  function openStore(prefix: string) {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const file = join(dir, 'batchkeys.db');
    const { old, acc, prd } = storeAtVersion(file, migrations.length);
    old.close();
    return { dir, acc, prd, store: new SqliteStore(file) };
  }

  it('keeps licenses whose digests share a slot apart, unique and findable through every path', async () => {
    const { dir, acc, prd, store } = openStore('batchkeys-slot-');
    try {
      const digests = sharedSlotDigests(SLOT_PROBES + 2);
      const slot = stateSlot(digests[0]!);
      expect(new Set(digests.map(stateSlot))).toEqual(new Set([slot]));
      const [a, b, c] = [0, 1, 2].map((i) => license(prd, { keyDigest: digests[i]!, tokensRemaining: 10 * (i + 1), tokensTotal: 100 }).license) as [License, License, License];
      for (const l of [a, b, c]) await store.createLicense(l);
      const slotOf = (id: string) => store.db.prepare(`SELECT slot FROM license_state WHERE license_id = ?`).pluck().get(id);
      expect([a, b, c].map((l) => slotOf(l.id))).toEqual([slot, slot + 1, slot + 2]);
      for (const l of [a, b, c]) {
        expect(await store.findLicenseByDigest(l.keyDigest)).toMatchObject({ id: l.id, tokensRemaining: l.tokensRemaining });
        expect(await store.getLicense(acc.id, l.id)).toEqual(l); // the admin read joins from licenses
      }
      await expect(store.createLicense({ ...license(prd).license, keyDigest: b.keyDigest })).rejects.toBeInstanceOf(StoreConflict);

      // A consume changes its own license's row only.
      const render = () => ({ status: 200, body: Buffer.from('{}') });
      const consumed = await store.consume({ digest: b.keyDigest, amount: 3, idempotencyKey: null, ledgerId: newId('led'), now: NOW, render });
      expect(consumed).toMatchObject({ kind: 'answer', replayed: false });
      expect((await store.findLicenseByDigest(b.keyDigest))?.tokensRemaining).toBe(17);
      expect((await store.findLicenseByDigest(a.keyDigest))?.tokensRemaining).toBe(10);
      expect((await store.findLicenseByDigest(c.keyDigest))?.tokensRemaining).toBe(30);

      // Deleting the license in the first slot frees it; the others stay where they are, and a
      // second license with c's key is still refused although the range now has a gap before it.
      expect(await store.deleteLicense(acc.id, a.id)).toBe(true);
      expect(await store.findLicenseByDigest(a.keyDigest)).toBeNull();
      expect((await store.findLicenseByDigest(c.keyDigest))?.id).toBe(c.id);
      await expect(store.createLicense({ ...license(prd).license, keyDigest: c.keyDigest })).rejects.toBeInstanceOf(StoreConflict);
      const rest = digests.slice(3).map((d) => license(prd, { keyDigest: d }).license);
      for (const l of rest.slice(0, -1)) await store.createLicense(l);
      expect(slotOf(rest[0]!.id)).toBe(slot); // the first free slot
      // Eight licenses fill the range: a ninth digest of that slot is refused, and nothing of it is written.
      const before = await store.counts();
      await expect(store.createLicense(rest.at(-1)!)).rejects.toThrow(/no free slot/);
      expect(await store.counts()).toEqual(before);
      for (const l of [b, c, ...rest.slice(0, -1)]) expect((await store.findLicenseByDigest(l.keyDigest))?.id).toBe(l.id);

      // Every query of license_state by digest goes through the rowid range.
      const plan = (sql: string, ...params: unknown[]) =>
        (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
      const stmt = (store as unknown as { stmt: Record<string, Database.Statement> }).stmt;
      const range = /SEARCH (s|license_state) USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/;
      for (const name of ['stateByDigest', 'takeSeat', 'freeSeat']) expect(plan(stmt[name]!.source, 1, 8, 'd')).toMatch(range);
      expect(plan(stmt.consumeTokens!.source, 1, 2, 1, 8, 'd', 1)).toMatch(range);
      expect(plan(stmt.licenseById!.source, 'lic')).toMatch(range);
      // The delete trigger's, with OLD.key_digest for @d.
      expect(plan(`DELETE FROM license_state WHERE ${stateRowSql(stateSlotSql('@d'), '@d')}`, { d: 'x' })).toMatch(range);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports licenses in slot order, those that share a slot or meet a stored one included, and reports the first key that exists', async () => {
    const { dir, acc, prd, store } = openStore('batchkeys-slot-import-');
    try {
      const [e1, a1] = sharedSlotDigests(2, 'Imp0rtAAQ');
      const [b1, c1] = sharedSlotDigests(2, 'Imp0rtBBQ');
      const stored = license(prd, { keyDigest: e1! }).license;
      await store.createLicense(stored);
      const rows = async function* (list: License[]) { for (const l of list) yield l; };
      const plain = [1, 2, 3].map(() => license(prd, { expiresAt: NOW + 1000 }).license);
      const sharing = [a1!, b1!, c1!].map((d) => license(prd, { keyDigest: d }).license);
      const expiry = () => store.db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'license_state_expiry'`).pluck().get();

      // Refused: row 4 repeats row 2's key, row 5 is the stored one's; the first (4) is named.
      const repeat = { ...plain[1]!, id: newId('lic') };
      const clash = { ...plain[2]!, id: newId('lic'), keyDigest: e1! };
      await expect(store.importLicenses(rows([plain[0]!, plain[1]!, sharing[1]!, repeat, clash]))).rejects.toMatchObject({ what: 'key', row: 4 });
      await expect(store.importLicenses(rows([plain[0]!, clash]))).rejects.toMatchObject({ what: 'key', row: 2 });
      expect((await store.counts()).license).toBe(1);
      expect(expiry()).toBe(1);

      // More licenses than the store holds: license_state's indexes are built again after.
      expect(await store.importLicenses(rows([...sharing, ...plain]))).toBe(6);
      expect(expiry()).toBe(1);
      for (const l of [stored, ...sharing, ...plain]) {
        expect((await store.findLicenseByDigest(l.keyDigest))?.id).toBe(l.id);
        expect(await store.getLicense(acc.id, l.id)).toEqual(l);
      }
      const slotOf = (id: string) => store.db.prepare(`SELECT slot FROM license_state WHERE license_id = ?`).pluck().get(id);
      expect(slotOf(sharing[0]!.id)).toBe(stateSlot(e1!) + 1); // the stored license holds the first slot
      expect([slotOf(sharing[1]!.id), slotOf(sharing[2]!.id)]).toEqual([stateSlot(b1!), stateSlot(b1!) + 1]);
      const sorted = await store.listLicenses(acc.id, { limit: 10, now: NOW, sort: 'expiresAt', order: 'asc' });
      expect(sorted.items.slice(0, 3).map((l) => l.id).sort()).toEqual(plain.map((l) => l.id).sort());
      expect(await store.importLicenses(rows([license(prd).license]))).toBe(1); // fewer than stored: indexes kept
      expect(store.db.prepare(`SELECT count(*) FROM temp.sqlite_master`).pluck().get()).toBe(0); // the staging table is gone
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves the licenses of a version-7 file to their slots, digests that share one included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-migrate8-'));
    const file = join(dir, 'batchkeys.db');
    try {
      const { old, acc, prd } = storeAtVersion(file, 7);
      const [x, y] = sharedSlotDigests(2, 'Ab-_9zQwE');
      const made = [
        license(prd, { keyDigest: y!, expiresAt: NOW + 1000, tokensRemaining: 5, tokensTotal: 5 }).license,
        license(prd, { keyDigest: x!, lock: 'domain', maxActivations: 2, activationCount: 1 }).license,
        license(prd, { status: 'suspended' }).license,
      ];
      for (const l of made) insertLicenseV4(old, l);
      old.close();

      const store = new SqliteStore(file);
      try {
        expect(store.db.pragma('user_version', { simple: true })).toBe(migrations.length);
        for (const l of made) {
          expect(await store.getLicense(acc.id, l.id)).toEqual(l);
          expect(await store.findLicenseByDigest(l.keyDigest)).toMatchObject({ id: l.id, status: l.status, tokensRemaining: l.tokensRemaining });
        }
        // The two that share a slot sit in digest order.
        const slotOf = (id: string) => store.db.prepare(`SELECT slot FROM license_state WHERE license_id = ?`).pluck().get(id);
        expect([slotOf(made[1]!.id), slotOf(made[0]!.id)]).toEqual([stateSlot(x!), stateSlot(x!) + 1]);
        const sorted = await store.listLicenses(acc.id, { limit: 10, now: NOW, sort: 'expiresAt', order: 'asc' });
        expect(sorted.items[0]!.id).toBe(made[0]!.id);
        // The rebuilt delete trigger finds the state row in its slot range.
        expect(await store.deleteLicense(acc.id, made[1]!.id)).toBe(true);
        expect(await store.findLicenseByDigest(x!)).toBeNull();
        expect((await store.findLicenseByDigest(y!))?.id).toBe(made[0]!.id);
        expect(store.db.prepare(`SELECT count(*) FROM license_state`).pluck().get()).toBe(2);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite store, ledger tail (migration 5)', () => {
  it('files consume entries into token_ledger in batches; every read sees them before and after, a deleted license\'s never', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'batchkeys-tail-'));
    const file = join(dir, 'batchkeys.db');
    const open = () => new SqliteStore(file, { backgroundCheckpoints: true });
    const rows = (s: SqliteStore, table: string) => (s.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    let store = open();
    try {
      const acc = account();
      await store.createAccount(acc);
      const prd = product(acc.id, 't');
      await store.createProduct(prd);
      const kept = license(prd, { tokensRemaining: 100, tokensTotal: 100, email: 'tail@example.com' });
      const dropped = license(prd, { tokensRemaining: 100, tokensTotal: 100 });
      for (const m of [kept, dropped]) await store.createLicense(m.license);
      const render = () => ({ status: 200, body: Buffer.from('{}') });
      const consume = (key: string) => store.consume({ digest: keyDigest(key), amount: 1, idempotencyKey: null, ledgerId: newId('led'), now: NOW, render });
      for (let i = 0; i < 30; i++) await Promise.all([consume(kept.key), consume(dropped.key)]);

      // 60 consumes in the tail, 2 grants filed: the dump, the counts and a subject's export see all 62.
      expect(rows(store, 'ledger_tail')).toBe(60);
      expect((await store.counts()).ledger).toBe(62);
      expect((await summarize(store.dump())).counts.ledger).toBe(62);
      const found = await store.findSubject(acc.id, { kind: 'email', value: 'tail@example.com' }, 'digest-unused');
      expect(found.ledger.filter((e) => e.reason === 'consume').length).toBe(30);

      // A license deleted with entries in the tail: they vanish from every read, and filing drops them.
      expect(await store.deleteLicense(acc.id, dropped.license.id)).toBe(true);
      expect((await store.counts()).ledger).toBe(31);

      // Closing files the tail; the reopened store holds the same ledger, all of it in token_ledger.
      await store.close();
      store = open();
      expect(rows(store, 'ledger_tail')).toBe(0);
      expect(rows(store, 'token_ledger')).toBe(31);
      expect((await store.counts()).ledger).toBe(31);

      // Under way, the tail is filed once a second, by the first write after that.
      await consume(kept.key);
      expect(rows(store, 'ledger_tail')).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await consume(kept.key);
      expect(rows(store, 'ledger_tail')).toBe(1);
      expect(rows(store, 'token_ledger')).toBe(32);
      expect((await store.findLicenseByDigest(keyDigest(kept.key)))?.tokensRemaining).toBe(68);

      // An erasure takes the subject's entries from both tables.
      const erased = await store.eraseSubject(acc.id, { kind: 'email', value: 'tail@example.com' }, 'digest-unused', NOW);
      expect(erased.ledger).toBe(33);
      expect(rows(store, 'ledger_tail') + rows(store, 'token_ledger')).toBe(0);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
