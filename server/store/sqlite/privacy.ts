import type Database from 'better-sqlite3';
import {
  AUDIT_GENESIS,
  type AuditAnchor, type AuditEntry, type AuditQuery, type ErasureCounts, type NewAuditEntry, type NewRequestLogEntry,
  type PurgeCounts, type PurgeCutoffs, type RequestAction, type RequestLogEntry, type RequestLogQuery, type Subject,
  type SubjectRecords, type SubjectRequest, type SubjectRequestQuery,
} from '../privacy.js';
import {
  AUDIT_ANCHOR_KEY, auditValues, requestValues, subjectRequestValues, toActivation, toAnchor,
  toAudit, toLedger, toLicense, toRequest, toSubjectRequest, type Row,
} from '../sql/rows.js';
import { FREE_SEAT, LICENSE_COLUMNS, LICENSE_FROM } from './rows.js';
import { licenseActivationsSql } from './identity.js';
import { licenseRequestsSql } from './request-log-file.js';
import { STATE_ROW, stateRowParams } from './state-slot.js';

/** A condition and its parameters. */
type Condition = [string, ...unknown[]];

/** Builds `WHERE a AND b ...` from the conditions that apply. */
function where(conditions: Array<Condition | null>): { sql: string; params: unknown[] } {
  const used = conditions.filter((c): c is Condition => c !== null);
  return { sql: used.length ? `WHERE ${used.map(([c]) => c).join(' AND ')}` : '', params: used.flatMap(([, ...v]) => v) };
}
const when = <T>(value: T | undefined, sql: string): Condition | null => (value === undefined ? null : [sql, value]);
const byLicense = (id: string): Condition => {
  const c = licenseRequestsSql([id]);
  return [c.sql, ...c.params];
};
const inList = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * The retention purge's searches. Each must find its batch through an index: the purge runs on
 * the serving thread, and a pass that reads a whole table (1M licenses, a request log of
 * millions) stalls every request meanwhile. The store tests check their query plans.
 */
export const PURGE_SQL = {
  requests: `DELETE FROM request_log WHERE seq IN (SELECT seq FROM request_log WHERE at < ? ORDER BY at LIMIT ?)`,
  requestIps: `SELECT seq, ip FROM request_log WHERE ip IS NOT NULL AND ip_anonymised = 0 AND at < ? ORDER BY at LIMIT ?`,
  activations: `DELETE FROM activations WHERE id IN (SELECT id FROM activations
    WHERE deactivated_at IS NOT NULL AND deactivated_at < ? LIMIT ?)`,
  // Expiry is indexed per account (license_state_expiry, for the admin list's sort): the purge
  // walks it account by account. A cutoff is always below the stand-in for "never expires".
  licenses: `DELETE FROM licenses WHERE id IN (SELECT license_id FROM license_state
    WHERE account_id IN (SELECT id FROM accounts) AND coalesce(expires_at, 9007199254740991) < ? LIMIT ?)`,
} as const;

/**
 * The SQLite side of the privacy engine. Its methods are synchronous and run inside the store's
 * write path (group commit) or read directly; `SqliteStore` exposes them as the PrivacyStore.
 */
export class SqlitePrivacy {
  private readonly insertRequest: Database.Statement;

  /** `db`: the store's connection; `rq`: the store's connection to its request-log file. */
  constructor(private readonly db: Database.Database, private readonly rq: Database.Database) {
    // SQLite's lower() folds ASCII only: an email with a capital É would escape an erasure.
    db.function('unicode_lower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
    this.insertRequest = rq.prepare(`INSERT INTO request_log (at, account_id, license_id, action, code, status, ip, domain,
      device, tokens, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** One transaction on the request log's connection (a serving store appends from its worker instead). */
  appendRequests(entries: readonly NewRequestLogEntry[]): void {
    this.rq.transaction(() => {
      for (const e of entries) this.insertRequest.run(...requestValues(e));
    })();
  }

  listRequests(q: RequestLogQuery): RequestLogEntry[] {
    const w = where([
      q.accountId === null ? null : ['account_id = ?', q.accountId],
      q.licenseId === undefined ? null : byLicense(q.licenseId),
      when(q.action, 'action = ?'), when(q.code, 'code = ?'), when(q.ip, 'ip = ?'),
      when(q.from, 'at >= ?'), when(q.to, 'at < ?'), when(q.before, 'seq < ?'),
    ]);
    return (this.rq.prepare(`SELECT * FROM request_log ${w.sql} ORDER BY seq DESC LIMIT ?`).all(...w.params, q.limit) as Row[]).map(toRequest);
  }

  requestCounts(accountId: string, licenseId: string): Array<{ action: RequestAction; code: string; count: number }> {
    const license = licenseRequestsSql([licenseId]);
    return (this.rq.prepare(`SELECT action, code, count(*) AS n FROM request_log WHERE ${license.sql} AND account_id = ?
      GROUP BY action, code`).all(...license.params, accountId) as Row[])
      .map((r) => ({ action: r.action as RequestAction, code: String(r.code), count: Number(r.n) }));
  }

  anchor(): AuditAnchor {
    const r = this.db.prepare(`SELECT value FROM privacy_meta WHERE key = ?`).get(AUDIT_ANCHOR_KEY) as Row | undefined;
    return toAnchor(r?.value) ?? AUDIT_GENESIS;
  }

  /** Runs inside the single writer's transaction, so reading the head and appending are one step. */
  appendAudit(entry: NewAuditEntry, seal: (prevHash: string, seq: number) => string): AuditEntry {
    const head = this.db.prepare(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).get() as Row | undefined;
    const prev = head ? { seq: Number(head.seq), hash: String(head.hash) } : this.anchor();
    const seq = prev.seq + 1;
    const full: AuditEntry = { ...entry, seq, prevHash: prev.hash, hash: seal(prev.hash, seq) };
    this.db.prepare(`INSERT INTO audit_log (seq, at, account_id, actor, action, target, ip, ip_salt, ip_commit, detail,
      prev_hash, hash) VALUES (${inList(12)})`).run(...auditValues(full));
    return full;
  }

  listAudit(q: AuditQuery): AuditEntry[] {
    const w = where([
      q.accountId === undefined ? null : q.accountId === null ? ['account_id IS NULL', undefined] : ['account_id = ?', q.accountId],
      when(q.actor, 'actor = ?'), when(q.ip, 'ip = ?'), when(q.from, 'at >= ?'), when(q.to, 'at < ?'), when(q.afterSeq, 'seq > ?'),
    ]);
    const params = w.params.filter((p) => p !== undefined);
    return (this.db.prepare(`SELECT * FROM audit_log ${w.sql} ORDER BY seq LIMIT ?`).all(...params, q.limit) as Row[]).map(toAudit);
  }

  createSubjectRequest(r: SubjectRequest): void {
    this.db.prepare(`INSERT INTO subject_requests (id, account_id, kind, subject_kind, subject_digest, subject_encrypted,
      received_at, due_at, instruction, status, completed_at, artefact, created_at) VALUES (${inList(13)})`)
      .run(...subjectRequestValues(r));
  }

  getSubjectRequest(accountId: string, id: string): SubjectRequest | null {
    const r = this.db.prepare(`SELECT * FROM subject_requests WHERE account_id = ? AND id = ?`).get(accountId, id) as Row | undefined;
    return r ? toSubjectRequest(r) : null;
  }

  listSubjectRequests(q: SubjectRequestQuery): SubjectRequest[] {
    const w = where([
      ['account_id = ?', q.accountId], when(q.status, 'status = ?'),
      q.dueBefore === undefined ? null : [`status = 'open' AND due_at < ?`, q.dueBefore],
      when(q.after, 'id > ?'),
    ]);
    return (this.db.prepare(`SELECT * FROM subject_requests ${w.sql} ORDER BY id LIMIT ?`).all(...w.params, q.limit) as Row[])
      .map(toSubjectRequest);
  }

  completeSubjectRequest(accountId: string, id: string, now: number, artefact: Record<string, unknown>): SubjectRequest | null {
    this.db.prepare(`UPDATE subject_requests SET status = 'completed', completed_at = ?, artefact = ? WHERE account_id = ? AND id = ?`)
      .run(now, JSON.stringify(artefact), accountId, id);
    return this.getSubjectRequest(accountId, id);
  }

  /** The licenses a subject's data hangs off: for an email, those issued to it. */
  private subjectLicenseIds(accountId: string | null, s: Subject): string[] {
    if (s.kind !== 'email') return [];
    const w = where([['unicode_lower(email) = ?', s.value], accountId === null ? null : ['account_id = ?', accountId]]);
    return (this.db.prepare(`SELECT id FROM licenses ${w.sql}`).all(...w.params) as Row[]).map((r) => String(r.id));
  }

  /** Activations naming the subject (domain, device) or belonging to its licenses. */
  private activationWhere(accountId: string | null, s: Subject, licenseIds: string[]): { sql: string; params: unknown[] } | null {
    const account = accountId === null ? '' : ' AND license_id IN (SELECT id FROM licenses WHERE account_id = ?)';
    const params = accountId === null ? [] : [accountId];
    if (s.kind === 'domain') return { sql: `domain = ?${account}`, params: [s.value, ...params] };
    if (s.kind === 'device') return { sql: `device = ?${account}`, params: [s.value, ...params] };
    // A license's activations are a range of the identity index (see identity.ts): one per license.
    if (licenseIds.length) {
      return {
        sql: `rowid IN (WITH l(id) AS (VALUES ${licenseIds.map(() => '(?)').join(', ')})
          SELECT a.rowid FROM l JOIN activations a ON ${licenseActivationsSql('l.id', 'a')})`,
        params: licenseIds,
      };
    }
    return null;
  }

  private requestWhere(accountId: string | null, s: Subject, licenseIds: string[]): { sql: string; params: unknown[] } | null {
    const account = accountId === null ? '' : ' AND account_id = ?';
    const params = accountId === null ? [] : [accountId];
    if (s.kind === 'email') {
      return licenseIds.length ? licenseRequestsSql(licenseIds) : null;
    }
    const column = s.kind === 'ip' ? 'ip' : s.kind;
    return { sql: `${column} = ?${account}`, params: [s.value, ...params] };
  }

  findSubject(accountId: string | null, s: Subject, digest: string): SubjectRecords {
    const ids = this.subjectLicenseIds(accountId, s);
    const acts = this.activationWhere(accountId, s, ids);
    const reqs = this.requestWhere(accountId, s, ids);
    const accountCond = accountId === null ? '' : ' AND account_id = ?';
    const accountParam = accountId === null ? [] : [accountId];
    const audit = s.kind === 'ip'
      ? this.db.prepare(`SELECT * FROM audit_log WHERE ip = ?${accountCond} ORDER BY seq`).all(s.value, ...accountParam)
      : ids.length ? this.db.prepare(`SELECT * FROM audit_log WHERE target IN (${inList(ids.length)}) ORDER BY seq`).all(...ids) : [];
    return {
      licenses: ids.length
        ? (this.db.prepare(`SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} WHERE l.id IN (${inList(ids.length)}) ORDER BY l.id`).all(...ids) as Row[]).map(toLicense)
        : [],
      activations: acts ? (this.db.prepare(`SELECT * FROM activations WHERE ${acts.sql} ORDER BY id`).all(...acts.params) as Row[]).map(toActivation) : [],
      ledger: ids.length
        ? (this.db.prepare(`SELECT * FROM ledger_entries WHERE license_id IN (${inList(ids.length)}) ORDER BY license_id, id`).all(...ids) as Row[]).map(toLedger)
        : [],
      requests: reqs ? (this.rq.prepare(`SELECT * FROM request_log WHERE ${reqs.sql} ORDER BY seq`).all(...reqs.params) as Row[]).map(toRequest) : [],
      audit: (audit as Row[]).map(toAudit),
      subjectRequests: (this.db.prepare(`SELECT * FROM subject_requests WHERE subject_digest = ?${accountCond} ORDER BY id`)
        .all(digest, ...accountParam) as Row[]).map(toSubjectRequest),
    };
  }

  /** Runs inside one write transaction. */
  eraseSubject(accountId: string | null, s: Subject, digest: string): ErasureCounts {
    const ids = this.subjectLicenseIds(accountId, s);
    const counts: ErasureCounts = { licenses: 0, activations: 0, ledger: 0, requests: 0, auditRedacted: 0, subjectRequestsRedacted: 0 };
    const reqs = this.requestWhere(accountId, s, ids);
    if (reqs) counts.requests = this.rq.prepare(`DELETE FROM request_log WHERE ${reqs.sql}`).run(...reqs.params).changes;
    const acts = this.activationWhere(accountId, s, ids);
    if (acts) {
      // A seat held by an erased activation is given back, as a deactivation would.
      const seated = this.db.prepare(`SELECT l.key_digest FROM licenses l WHERE l.id IN (SELECT license_id FROM activations
        WHERE ${acts.sql} AND deactivated_at IS NULL AND development = 0)`).pluck().all(...acts.params) as string[];
      const freeSeat = this.db.prepare(FREE_SEAT);
      for (const d of seated) freeSeat.run(...stateRowParams(d));
      counts.activations = this.db.prepare(`DELETE FROM activations WHERE ${acts.sql}`).run(...acts.params).changes;
    }
    if (ids.length) {
      const list = inList(ids.length);
      counts.ledger = this.db.prepare(`DELETE FROM token_ledger WHERE license_id IN (${list})`).run(...ids).changes
        + this.db.prepare(`DELETE FROM ledger_tail WHERE license_id IN (${list})`).run(...ids).changes;
      counts.licenses = this.db.prepare(`DELETE FROM licenses WHERE id IN (${list})`).run(...ids).changes;
    }
    if (s.kind === 'ip') {
      const accountCond = accountId === null ? '' : ' AND account_id = ?';
      counts.auditRedacted = this.db.prepare(`UPDATE audit_log SET ip = NULL, ip_salt = NULL WHERE ip = ?${accountCond}`)
        .run(s.value, ...(accountId === null ? [] : [accountId])).changes;
    }
    const accountCond = accountId === null ? '' : ' AND account_id = ?';
    counts.subjectRequestsRedacted = this.db.prepare(`UPDATE subject_requests SET subject_encrypted = NULL
      WHERE subject_digest = ? AND subject_encrypted IS NOT NULL${accountCond}`).run(digest, ...(accountId === null ? [] : [accountId])).changes;
    return counts;
  }

  rectifySubject(accountId: string | null, email: string, change: { email?: string | undefined; name?: string | undefined }, now: number): number {
    const w = where([['unicode_lower(email) = ?', email.toLowerCase()], accountId === null ? null : ['account_id = ?', accountId]]);
    // The licenses' update time is in license_state: stamped first, while the email still finds them.
    const digests = this.db.prepare(`SELECT key_digest FROM licenses ${w.sql}`).pluck().all(...w.params) as string[];
    const stamp = this.db.prepare(`UPDATE license_state SET updated_at = ? WHERE ${STATE_ROW()}`);
    for (const d of digests) stamp.run(now, ...stateRowParams(d));
    return this.db.prepare(`UPDATE licenses SET email = coalesce(?, email), name = coalesce(?, name) ${w.sql}`)
      .run(change.email ?? null, change.name ?? null, ...w.params).changes;
  }

  /** One batch per data class; runs inside one write transaction. */
  purge(c: PurgeCutoffs, batch: number, anonymise: (ip: string) => string): PurgeCounts {
    const counts: PurgeCounts = { requests: 0, ipsAnonymised: 0, audit: 0, activations: 0, licenses: 0 };
    if (c.requestLogBefore !== undefined) {
      counts.requests = this.rq.prepare(PURGE_SQL.requests).run(c.requestLogBefore, batch).changes;
    }
    if (c.ipBefore !== undefined) {
      const rows = this.rq.prepare(PURGE_SQL.requestIps).all(c.ipBefore, batch) as Row[];
      const set = this.rq.prepare(`UPDATE request_log SET ip = ?, ip_anonymised = 1 WHERE seq = ?`);
      this.rq.transaction(() => {
        for (const r of rows) set.run(anonymise(String(r.ip)), r.seq);
      }).immediate();
      counts.ipsAnonymised = rows.length;
      // The audit chain commits to the IP, not the IP itself: it can go without breaking the chain.
      this.db.prepare(`UPDATE audit_log SET ip = NULL, ip_salt = NULL WHERE seq IN (SELECT seq FROM audit_log WHERE at < ? AND ip IS NOT NULL ORDER BY seq LIMIT ?)`)
        .run(c.ipBefore, batch);
    }
    if (c.auditBefore !== undefined) {
      const rows = this.db.prepare(`SELECT seq, hash FROM audit_log WHERE at < ? ORDER BY seq LIMIT ?`).all(c.auditBefore, batch) as Row[];
      // Only a run from the start of the chain can go: the anchor must be the entry before the first kept one.
      const head = this.db.prepare(`SELECT seq FROM audit_log ORDER BY seq LIMIT ?`).all(rows.length) as Row[];
      const run = rows.filter((r, i) => head[i] && Number(head[i]!.seq) === Number(r.seq));
      const last = run.at(-1);
      if (last) {
        counts.audit = this.db.prepare(`DELETE FROM audit_log WHERE seq <= ?`).run(last.seq).changes;
        this.db.prepare(`INSERT INTO privacy_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
          .run(AUDIT_ANCHOR_KEY, JSON.stringify({ seq: Number(last.seq), hash: String(last.hash) }));
      }
    }
    if (c.deactivatedBefore !== undefined) {
      counts.activations = this.db.prepare(PURGE_SQL.activations).run(c.deactivatedBefore, batch).changes;
    }
    if (c.expiredBefore !== undefined) {
      // Ledger and idempotency answers go with the license (ON DELETE CASCADE), its state and
      // activations too (trigger licenses_delete_state).
      counts.licenses = this.db.prepare(PURGE_SQL.licenses).run(c.expiredBefore, batch).changes;
    }
    return counts;
  }

  setAccountApiSuspended(accountId: string, suspendedAt: number | null): boolean {
    return this.db.prepare(`UPDATE accounts SET api_suspended_at = ? WHERE id = ?`).run(suspendedAt, accountId).changes > 0;
  }
}
