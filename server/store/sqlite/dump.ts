import type Database from 'better-sqlite3';
import { DUMP_KINDS, type DumpKind, type DumpRecord } from '../dump.js';
import { StoreConflict } from '../store.js';
import { DUMP_QUERIES, DUMP_TABLES, toRecord } from '../sql/dump-records.js';
import { AUDIT_ANCHOR_KEY, auditValues, requestValues, subjectRequestValues, type Row } from '../sql/rows.js';
import { activationValues, INSERT_ACTIVATION, LICENSE_COLUMNS, LICENSE_FROM, licenseWriter } from './rows.js';

/**
 * The shared queries and tables, but a license is two rows here (see rows.ts), and the ledger
 * is read through ledger_entries (filed entries and the tail, see migrations.ts).
 */
const QUERIES: Record<DumpKind, string> = {
  ...DUMP_QUERIES,
  license: `SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} ORDER BY l.id`,
  ledger: 'SELECT * FROM ledger_entries ORDER BY license_id, id',
};
const TABLES: Record<DumpKind, string> = { ...DUMP_TABLES, ledger: 'ledger_entries' };

/** The connection that holds a kind: the request log has a file of its own. */
const holder = (kind: DumpKind, db: Database.Database, rq: Database.Database) => (kind === 'request' ? rq : db);

/**
 * Every record in one read transaction per file: a consistent snapshot of the store even while
 * a server writes (the request log, appended apart, is read as of its own snapshot).
 */
export async function* dumpSqlite(db: Database.Database, rq: Database.Database): AsyncGenerator<DumpRecord> {
  db.exec('BEGIN');
  rq.exec('BEGIN');
  try {
    for (const kind of DUMP_KINDS) {
      for (const r of holder(kind, db, rq).prepare(QUERIES[kind]).iterate() as IterableIterator<Row>) yield toRecord(kind, r);
    }
  } finally {
    if (rq.inTransaction) rq.exec('COMMIT');
    if (db.inTransaction) db.exec('COMMIT');
  }
}

export function countSqlite(db: Database.Database, rq: Database.Database): Record<DumpKind, number> {
  return Object.fromEntries(DUMP_KINDS.map((k) => [k, Number((holder(k, db, rq).prepare(`SELECT count(*) AS n FROM ${TABLES[k]}`).get() as Row).n)])) as Record<DumpKind, number>;
}

/** Loads a dump into an empty SQLite store in one transaction: all or nothing. */
export async function restoreSqlite(db: Database.Database, rq: Database.Database, records: AsyncIterable<DumpRecord>, onRecord?: (n: number) => void): Promise<number> {
  const existing = countSqlite(db, rq);
  if (Object.values(existing).some((n) => n > 0)) throw new Error('the target store is not empty: restore and migrate only fill an empty store');
  const insert = {
    account: db.prepare('INSERT INTO accounts (id, name, status, operator, api_suspended_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    token: db.prepare('INSERT INTO api_tokens (id, account_id, name, scopes, hash, created_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    product: db.prepare('INSERT INTO products (id, account_id, name, slug, key_prefix, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    policy: db.prepare(`INSERT INTO policies (id, account_id, product_id, name, duration_days, lock, max_activations, tokens, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    activation: db.prepare(INSERT_ACTIVATION),
    ledger: db.prepare('INSERT INTO token_ledger (license_id, id, delta, reason, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    idempotency: db.prepare('INSERT INTO idempotency (license_id, key, amount, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    request: rq.prepare(`INSERT INTO request_log (seq, at, account_id, license_id, action, code, status, ip, domain, device, tokens, latency_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    audit: db.prepare(`INSERT INTO audit_log (seq, at, account_id, actor, action, target, ip, ip_salt, ip_commit, detail, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    auditAnchor: db.prepare(`INSERT INTO privacy_meta (key, value) VALUES ('${AUDIT_ANCHOR_KEY}', ?)`),
    subjectRequest: db.prepare(`INSERT INTO subject_requests (id, account_id, kind, subject_kind, subject_digest, subject_encrypted,
      received_at, due_at, instruction, status, completed_at, artefact, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  };
  let n = 0;
  db.exec('BEGIN IMMEDIATE');
  rq.exec('BEGIN IMMEDIATE');
  try {
    // Licenses as an import writes them: their state rows at the end, in slot order.
    const licenses = licenseWriter(db).bulk();
    for await (const rec of records) {
      switch (rec.kind) {
        case 'account': { const a = rec.value; insert.account.run(a.id, a.name, a.status, a.operator ? 1 : 0, a.apiSuspendedAt, a.createdAt, a.updatedAt); break; }
        case 'token': { const t = rec.value; insert.token.run(t.id, t.accountId, t.name, JSON.stringify(t.scopes), t.hash, t.createdAt, t.lastUsedAt, t.revokedAt); break; }
        case 'product': { const p = rec.value; insert.product.run(p.id, p.accountId, p.name, p.slug, p.keyPrefix, JSON.stringify(p.metadata), p.createdAt, p.updatedAt); break; }
        case 'policy': { const p = rec.value; insert.policy.run(p.id, p.accountId, p.productId, p.name, p.durationDays, p.lock, p.maxActivations, p.tokens, p.createdAt, p.updatedAt); break; }
        case 'license': licenses.add(rec.value); break;
        case 'activation': insert.activation.run(activationValues(rec.value)); break;
        case 'ledger': { const e = rec.value; insert.ledger.run(e.licenseId, e.id, e.delta, e.reason, e.idempotencyKey, e.createdAt); break; }
        case 'idempotency': { const i = rec.value; insert.idempotency.run(i.licenseId, i.key, i.amount, i.status, Buffer.from(i.body, 'base64'), i.createdAt); break; }
        case 'request': insert.request.run(rec.value.seq, ...requestValues(rec.value)); break;
        case 'audit': insert.audit.run(...auditValues(rec.value)); break;
        case 'auditAnchor': insert.auditAnchor.run(JSON.stringify(rec.value)); break;
        case 'subjectRequest': insert.subjectRequest.run(...subjectRequestValues(rec.value)); break;
      }
      n++;
      onRecord?.(n);
    }
    const conflict = licenses.finish();
    if (conflict !== null) throw new StoreConflict('key', conflict);
    // Two files, two commits: should the second fail, the request log's rows stay, and a retried
    // restore refuses the store as not empty (remove the -requests.db file to retry).
    rq.exec('COMMIT');
    db.exec('COMMIT');
    return n;
  } catch (err) {
    if (rq.inTransaction) rq.exec('ROLLBACK');
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
