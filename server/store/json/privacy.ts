import type { Activation, LedgerEntry, License } from '../../domain/types.js';
import type {
  AuditEntry, AuditQuery, ErasureCounts, NewAuditEntry, NewRequestLogEntry, PurgeCounts, PurgeCutoffs, RequestAction,
  RequestLogEntry, RequestLogQuery, Subject, SubjectRecords, SubjectRequest, SubjectRequestQuery,
} from '../privacy.js';
import { jsonCopy, seqKey, type JsonData } from './data.js';
import { checkRecord, type StoredLicense } from './schema.js';
import { lowerBound, type UndoLog } from './table.js';

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const bySeq = (a: { seq: number }, b: { seq: number }) => a.seq - b.seq;
/** Subjects' emails are compared lower-case (the subject's value is already normalised so). */
const sameEmail = (stored: string | null, value: string) => stored !== null && stored.toLowerCase() === value.toLowerCase();

/**
 * The JSON store's side of the privacy engine, over its in-memory tables. The methods that change
 * data take the change's undo log and run inside the store's serialised queue (`GroupCommit`),
 * so each is one transaction; the others only read. The semantics follow the SQLite store's.
 */
export class JsonPrivacy {
  /**
   * Request-log rows whose IP is known to be in its anonymised form. Kept in memory only (rows
   * are never changed in place, so a row object stands for its content): after a restart the
   * first purge asks `anonymise` once more of each old row, and a row whose IP it leaves as it
   * is counts as done. That keeps the file's rows exactly the public record.
   */
  private readonly anonymised = new WeakSet<RequestLogEntry>();

  constructor(private readonly d: JsonData) {}

  // Request log ---------------------------------------------------------------------------

  appendRequests(entries: readonly NewRequestLogEntry[], log: UndoLog): RequestLogEntry[] {
    return entries.map((e) => {
      const row = checkRecord('requests', { ...e, seq: this.d.takeRequestSeq(log) });
      this.d.requests.insert(row, log);
      return row;
    });
  }

  listRequests(q: RequestLogQuery): RequestLogEntry[] {
    const matches = (r: RequestLogEntry): boolean => (q.accountId === null || r.accountId === q.accountId)
      && (q.licenseId === undefined || r.licenseId === q.licenseId) && (q.action === undefined || r.action === q.action)
      && (q.code === undefined || r.code === q.code) && (q.ip === undefined || r.ip === q.ip)
      && (q.from === undefined || r.at >= q.from) && (q.to === undefined || r.at < q.to);
    const found: RequestLogEntry[] = [];
    if (q.licenseId !== undefined) {
      // A license's rows are few next to the whole log: take them by the index.
      const rows = this.d.requests.group('license', q.licenseId).sort(bySeq);
      for (let i = rows.length - 1; i >= 0 && found.length < q.limit; i--) {
        const r = rows[i]!;
        if ((q.before === undefined || r.seq < q.before) && matches(r)) found.push(r);
      }
    } else {
      const ids = this.d.requests.ids();
      const start = q.before === undefined ? ids.length : lowerBound(ids, seqKey(q.before));
      for (let i = start - 1; i >= 0 && found.length < q.limit; i--) {
        const r = this.d.requests.get(ids[i]!)!;
        if (matches(r)) found.push(r);
      }
    }
    return found.map((r) => ({ ...r }));
  }

  requestCounts(accountId: string, licenseId: string): Array<{ action: RequestAction; code: string; count: number }> {
    const counts = new Map<string, { action: RequestAction; code: string; count: number }>();
    for (const r of this.d.requests.group('license', licenseId)) {
      if (r.accountId !== accountId) continue;
      const key = `${r.action}\u0000${r.code}`;
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { action: r.action, code: r.code, count: 1 });
    }
    return [...counts.values()].sort((a, b) => (a.action === b.action ? (a.code < b.code ? -1 : 1) : a.action < b.action ? -1 : 1));
  }

  // Audit chain ---------------------------------------------------------------------------

  /** Reading the head and appending are one step: the queue runs one change at a time. */
  appendAudit(entry: NewAuditEntry, seal: (prevHash: string, seq: number) => string, log: UndoLog): AuditEntry {
    const head = this.d.auditHead();
    const seq = head.seq + 1;
    const row = checkRecord('audit', { ...entry, seq, prevHash: head.hash, hash: seal(head.hash, seq) });
    this.d.audit.insert(row, log);
    return jsonCopy(row);
  }

  listAudit(q: AuditQuery): AuditEntry[] {
    const ids = this.d.audit.ids();
    const found: AuditEntry[] = [];
    for (let i = q.afterSeq === undefined ? 0 : lowerBound(ids, seqKey(q.afterSeq), true); i < ids.length && found.length < q.limit; i++) {
      const e = this.d.audit.get(ids[i]!)!;
      // An undefined account is every entry; null, the entries of no account (the command line's).
      if (q.accountId !== undefined && e.accountId !== q.accountId) continue;
      if ((q.actor !== undefined && e.actor !== q.actor) || (q.ip !== undefined && e.ip !== q.ip)) continue;
      if ((q.from !== undefined && e.at < q.from) || (q.to !== undefined && e.at >= q.to)) continue;
      found.push(e);
    }
    return found.map(jsonCopy);
  }

  // Data-subject requests -----------------------------------------------------------------

  createSubjectRequest(r: SubjectRequest, log: UndoLog): void {
    this.d.insertSubjectRequest(checkRecord('subjectRequests', r), log);
  }

  getSubjectRequest(accountId: string, id: string): SubjectRequest | null {
    const r = this.d.subjectRequests.get(id);
    return r && r.accountId === accountId ? jsonCopy(r) : null;
  }

  /** Oldest due first, then by id; `after` names the last request of the previous page. */
  listSubjectRequests(q: SubjectRequestQuery): SubjectRequest[] {
    return this.d.subjectRequests.group('account', q.accountId)
      .filter((r) => (q.status === undefined || r.status === q.status)
        && (q.dueBefore === undefined || (r.status === 'open' && r.dueAt < q.dueBefore))
        && (q.after === undefined || r.id > q.after))
      .sort(byId).slice(0, q.limit).map(jsonCopy);
  }

  completeSubjectRequest(accountId: string, id: string, now: number, artefact: Record<string, unknown>, log: UndoLog): SubjectRequest | null {
    const r = this.d.subjectRequests.get(id);
    if (!r || r.accountId !== accountId) return null;
    const next = checkRecord('subjectRequests', { ...r, status: 'completed', completedAt: now, artefact });
    this.d.subjectRequests.update(next, log);
    return jsonCopy(next);
  }

  // Data subjects -------------------------------------------------------------------------

  /** The licenses a subject's data hangs off: for an email, those issued to it. */
  private subjectLicenses(accountId: string | null, s: Subject): StoredLicense[] {
    if (s.kind !== 'email') return [];
    return this.d.licenses.ids().map((id) => this.d.licenses.get(id)!)
      .filter((l) => (accountId === null || l.accountId === accountId) && sameEmail(l.email, s.value));
  }

  /** Activations naming the subject (domain, device) or belonging to its licenses; in id order. */
  private subjectActivations(accountId: string | null, s: Subject, licenses: readonly StoredLicense[]): Activation[] {
    if (s.kind === 'email') return licenses.flatMap((l) => this.d.activations.group('license', l.id)).sort(byId);
    if (s.kind === 'ip') return [];
    const kind = s.kind; // narrowed here, not inside the callback
    const inAccount = (a: Activation) => accountId === null || this.d.licenses.get(a.licenseId)?.accountId === accountId;
    return [...this.d.activations.values()].filter((a) => a[kind] === s.value && inAccount(a)).sort(byId);
  }

  /** Request-log rows of the subject's licenses, or naming its IP, domain or device; in seq order. */
  private subjectRequests(accountId: string | null, s: Subject, licenses: readonly StoredLicense[]): RequestLogEntry[] {
    if (s.kind === 'email') return licenses.flatMap((l) => this.d.requests.group('license', l.id)).sort(bySeq);
    const rows: RequestLogEntry[] = [];
    for (const r of this.d.requests.values()) {
      if (r[s.kind] === s.value && (accountId === null || r.accountId === accountId)) rows.push(r);
    }
    return rows.sort(bySeq);
  }

  /** Audit entries holding the subject's IP, or targeting its licenses; in seq order. */
  private subjectAudit(accountId: string | null, s: Subject, licenses: readonly StoredLicense[]): AuditEntry[] {
    const ids = new Set(licenses.map((l) => l.id));
    const rows: AuditEntry[] = [];
    if (s.kind !== 'ip' && ids.size === 0) return rows;
    for (const e of this.d.audit.values()) {
      if (s.kind === 'ip' ? e.ip === s.value && (accountId === null || e.accountId === accountId) : e.target !== null && ids.has(e.target)) rows.push(e);
    }
    return rows.sort(bySeq);
  }

  private subjectRequestRecords(accountId: string | null, digest: string): SubjectRequest[] {
    return this.d.subjectRequests.group('digest', digest).filter((r) => accountId === null || r.accountId === accountId).sort(byId);
  }

  findSubject(accountId: string | null, s: Subject, digest: string): SubjectRecords {
    const licenses = this.subjectLicenses(accountId, s);
    const ledger: LedgerEntry[] = licenses.flatMap((l) => this.d.ledger.group('license', l.id).sort(byId));
    return {
      licenses: licenses.map((l): License => this.d.toLicense(l)),
      activations: this.subjectActivations(accountId, s, licenses).map((a) => ({ ...a })),
      ledger: ledger.map((e) => ({ ...e })),
      requests: this.subjectRequests(accountId, s, licenses).map((r) => ({ ...r })),
      audit: this.subjectAudit(accountId, s, licenses).map(jsonCopy),
      subjectRequests: this.subjectRequestRecords(accountId, digest).map(jsonCopy),
    };
  }

  /** One change: the caller makes sure the erased values leave the store's files too. */
  eraseSubject(accountId: string | null, s: Subject, digest: string, log: UndoLog): ErasureCounts {
    const licenses = this.subjectLicenses(accountId, s);
    const counts: ErasureCounts = { licenses: 0, activations: 0, ledger: 0, requests: 0, auditRedacted: 0, subjectRequestsRedacted: 0 };
    for (const r of this.subjectRequests(accountId, s, licenses)) {
      this.d.requests.remove(seqKey(r.seq), log);
      counts.requests++;
    }
    for (const a of this.subjectActivations(accountId, s, licenses)) {
      this.d.removeActivation(a, log);
      counts.activations++;
    }
    for (const l of licenses) {
      // Its activations went above; its ledger and stored answers go with it.
      counts.ledger += this.d.removeLicense(l.id, log).ledger;
      counts.licenses++;
    }
    if (s.kind === 'ip') {
      // The chain covers the IP's commitment, not the IP: the IP and its salt can go.
      for (const e of this.subjectAudit(accountId, s, licenses)) {
        this.d.audit.update({ ...e, ip: null, ipSalt: null }, log);
        counts.auditRedacted++;
      }
    }
    for (const r of this.subjectRequestRecords(accountId, digest)) {
      if (r.subjectEncrypted === null) continue;
      this.d.subjectRequests.update({ ...r, subjectEncrypted: null }, log);
      counts.subjectRequestsRedacted++;
    }
    return counts;
  }

  rectifySubject(accountId: string | null, email: string, change: { email?: string | undefined; name?: string | undefined }, now: number, log: UndoLog): number {
    const licenses = this.subjectLicenses(accountId, { kind: 'email', value: email });
    for (const l of licenses) {
      this.d.licenses.update(checkRecord('licenses', { ...l, email: change.email ?? l.email, name: change.name ?? l.name, updatedAt: now }), log);
    }
    return licenses.length;
  }

  // Retention -----------------------------------------------------------------------------

  /** One batch per data class, in one change; the caller repeats until every count is 0. */
  purge(c: PurgeCutoffs, batch: number, anonymise: (ip: string) => string, log: UndoLog): PurgeCounts {
    const counts: PurgeCounts = { requests: 0, ipsAnonymised: 0, audit: 0, activations: 0, licenses: 0 };
    if (c.requestLogBefore !== undefined) {
      for (const id of [...this.d.requests.ids()]) {
        if (counts.requests >= batch) break;
        if (this.d.requests.get(id)!.at >= c.requestLogBefore) continue;
        this.d.requests.remove(id, log);
        counts.requests++;
      }
    }
    if (c.ipBefore !== undefined) {
      counts.ipsAnonymised = this.anonymiseIps(c.ipBefore, batch, anonymise, log);
      // The audit chain commits to the IP, not the IP itself: it can go without breaking the
      // chain. (Not counted, as in the SQL stores.)
      let n = 0;
      for (const id of this.d.audit.ids()) {
        if (n >= batch) break;
        const e = this.d.audit.get(id)!;
        if (e.at >= c.ipBefore || e.ip === null) continue;
        this.d.audit.update({ ...e, ip: null, ipSalt: null }, log);
        n++;
      }
    }
    if (c.auditBefore !== undefined) {
      // Only a run from the start of the chain can go: the anchor becomes the last entry
      // removed, so the kept chain still starts from a known hash.
      let last: AuditEntry | null = null;
      for (const id of [...this.d.audit.ids()]) {
        const e = this.d.audit.get(id)!;
        if (counts.audit >= batch || e.at >= c.auditBefore) break;
        this.d.audit.remove(id, log);
        last = e;
        counts.audit++;
      }
      if (last) this.d.setAuditAnchor({ seq: last.seq, hash: last.hash }, log);
    }
    if (c.deactivatedBefore !== undefined) {
      for (const a of [...this.d.activations.values()]) {
        if (counts.activations >= batch) break;
        if (a.deactivatedAt === null || a.deactivatedAt >= c.deactivatedBefore) continue;
        this.d.activations.remove(a.id, log); // no seat: it was given back at deactivation
        counts.activations++;
      }
    }
    if (c.expiredBefore !== undefined) {
      for (const id of [...this.d.licenses.ids()]) {
        if (counts.licenses >= batch) break;
        const l = this.d.licenses.get(id)!;
        if (l.expiresAt === null || l.expiresAt >= c.expiredBefore) continue;
        this.d.removeLicense(id, log);
        counts.licenses++;
      }
    }
    return counts;
  }

  private anonymiseIps(before: number, batch: number, anonymise: (ip: string) => string, log: UndoLog): number {
    let n = 0;
    for (const id of this.d.requests.ids()) {
      if (n >= batch) break;
      const r = this.d.requests.get(id)!;
      if (r.at >= before || r.ip === null || this.anonymised.has(r)) continue;
      const ip = anonymise(r.ip);
      if (ip === r.ip) {
        this.anonymised.add(r); // already anonymised: nothing to do, now or later
        continue;
      }
      const next = { ...r, ip };
      this.d.requests.update(next, log);
      this.anonymised.add(next);
      n++;
    }
    return n;
  }

  setAccountApiSuspended(accountId: string, suspendedAt: number | null, log: UndoLog): boolean {
    const a = this.d.accounts.get(accountId);
    if (!a) return false;
    if (a.apiSuspendedAt !== suspendedAt) this.d.accounts.update({ ...a, apiSuspendedAt: suspendedAt }, log);
    return true;
  }
}
