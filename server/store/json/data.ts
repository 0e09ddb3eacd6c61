import type { Account, Activation, ApiToken, LedgerEntry, License, LicenseState, Policy, Product } from '../../domain/types.js';
import { AUDIT_GENESIS, type AuditAnchor, type AuditEntry, type RequestLogEntry, type SubjectRequest } from '../privacy.js';
import { StoreConflict } from '../store.js';
import type { FileMeta, TableName } from './file.js';
import type { FileData, StoredIdempotency, StoredLicense } from './schema.js';
import { Table, type UndoLog } from './table.js';

/** A compound key; the first part is an id, which never holds a slash. */
export const pair = (a: string, b: string) => `${a}/${b}`;
/**
 * A sequence number as a primary key that sorts as the number does (16 digits hold any safe
 * integer), so that the ordered tables list the request and audit logs in seq order.
 */
export const seqKey = (seq: number) => String(seq).padStart(16, '0');
/** Metadata goes in and out as JSON does in SQLite: a deep copy, JSON values only. */
export const jsonCopy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * The JSON store's data set in memory: one table per kind of record, with the indexes the
 * store's reads need and the references SQLite's foreign keys would check. Every change takes
 * an undo log (see `Table`).
 */
export class JsonData {
  readonly accounts = new Table<Account>('accounts', (r) => r.id, {}, {});
  readonly tokens = new Table<ApiToken, 'hash', 'account'>('tokens', (r) => r.id,
    { hash: { key: (r) => r.hash, conflict: () => new Error('an API token with this hash exists') } },
    { account: (r) => r.accountId });
  readonly products = new Table<Product, 'slug', 'account'>('products', (r) => r.id,
    { slug: { key: (r) => pair(r.accountId, r.slug), conflict: () => new StoreConflict('slug') } },
    { account: (r) => r.accountId });
  readonly policies = new Table<Policy, never, 'account' | 'product'>('policies', (r) => r.id, {},
    { account: (r) => r.accountId, product: (r) => r.productId });
  /** Kept in id order: listing, paging and exports walk it, and the file lists it so. */
  readonly licenses = new Table<StoredLicense, 'digest', 'product' | 'policy'>('licenses', (r) => r.id,
    { digest: { key: (r) => r.keyDigest, conflict: () => new StoreConflict('key') } },
    { product: (r) => r.productId, policy: (r) => r.policyId }, true);
  /** At most one active activation per license and domain, or license and device. */
  readonly activations = new Table<Activation, 'domain' | 'device', 'license'>('activations', (r) => r.id, {
    domain: { key: (r) => (r.deactivatedAt === null && r.domain !== null ? pair(r.licenseId, r.domain) : null), conflict: () => new StoreConflict('activation') },
    device: { key: (r) => (r.deactivatedAt === null && r.device !== null ? pair(r.licenseId, r.device) : null), conflict: () => new StoreConflict('activation') },
  }, { license: (r) => r.licenseId });
  readonly ledger = new Table<LedgerEntry, never, 'license'>('ledger', (r) => pair(r.licenseId, r.id), {},
    { license: (r) => r.licenseId });
  readonly idempotency = new Table<StoredIdempotency, never, 'license'>('idempotency',
    (r) => pair(r.licenseId, r.key), {}, { license: (r) => r.licenseId });
  /**
   * The request log in seq order. No references: a row outlives its license and account (it
   * goes with its own retention period), as in SQLite.
   */
  readonly requests = new Table<RequestLogEntry, never, 'license'>('requests', (r) => seqKey(r.seq), {},
    { license: (r) => r.licenseId }, true);
  /** The audit chain in seq order. */
  readonly audit = new Table<AuditEntry>('audit', (r) => seqKey(r.seq), {}, {}, true);
  readonly subjectRequests = new Table<SubjectRequest, never, 'account' | 'digest'>('subjectRequests', (r) => r.id, {},
    { account: (r) => r.accountId, digest: (r) => r.subjectDigest }, true);

  private requestSeq = 1;
  private anchor: AuditAnchor | null = null;

  /** Every table, as the file writer takes them. */
  tables(): Record<TableName, Iterable<object>> {
    return {
      accounts: this.accounts.values(), tokens: this.tokens.values(), products: this.products.values(),
      policies: this.policies.values(), activations: this.activations.values(), ledger: this.ledger.values(),
      // The request log is kept in a file of its own (see request-log.ts), not in the store file.
      idempotency: this.idempotency.values(), licenses: inOrder(this.licenses), requests: [],
      audit: inOrder(this.audit), subjectRequests: inOrder(this.subjectRequests),
    };
  }

  meta(): FileMeta {
    return { nextRequestSeq: this.requestSeq, auditAnchor: this.anchor };
  }

  /** Nothing stored: no account (everything else but the logs hangs off one), no log entry, no moved anchor. */
  isEmpty(): boolean {
    return this.accounts.size === 0 && this.requests.size === 0 && this.audit.size === 0 && this.anchor === null;
  }

  /** The request log in seq order, as its own file holds it. */
  requestRows(): Iterable<RequestLogEntry> {
    return inOrder(this.requests);
  }

  /** Loads the request log's own file: a row repeated by an interrupted rewrite counts once (the last). */
  loadRequests(rows: readonly RequestLogEntry[]): void {
    const log: UndoLog = [];
    for (const r of rows) {
      if (this.requests.get(seqKey(r.seq))) this.requests.remove(seqKey(r.seq), log);
      this.requests.insert(r, log);
      if (r.seq >= this.requestSeq) this.requestSeq = r.seq + 1;
    }
  }

  /** Takes the next request-log seq; undone with the change that took it. */
  takeRequestSeq(log: UndoLog): number {
    const seq = this.requestSeq++;
    log.push(() => (this.requestSeq = seq));
    return seq;
  }

  /** The anchor as stored: null while the chain still starts at the genesis. */
  storedAnchor(): AuditAnchor | null {
    return this.anchor;
  }

  auditAnchor(): AuditAnchor {
    return this.anchor ?? AUDIT_GENESIS;
  }

  setAuditAnchor(anchor: AuditAnchor, log: UndoLog): void {
    const old = this.anchor;
    this.anchor = { seq: anchor.seq, hash: anchor.hash };
    log.push(() => (this.anchor = old));
  }

  /** The chain's last entry, or the anchor when retention has removed every entry. */
  auditHead(): AuditAnchor {
    const ids = this.audit.ids();
    const last = ids.length > 0 ? this.audit.get(ids[ids.length - 1]!)! : null;
    return last ? { seq: last.seq, hash: last.hash } : this.auditAnchor();
  }

  /**
   * Adds a whole data set (the file at open, or a restored dump), checking every reference.
   * `wrap` turns a failure into the error to throw, naming the record.
   */
  load(data: FileData, log: UndoLog, wrap: (table: TableName, index: number, err: unknown) => Error): void {
    const put = <T extends object>(name: TableName, rows: T[], insert: (row: T) => void) => {
      rows.forEach((row, i) => {
        try {
          insert(row);
        } catch (err) {
          throw wrap(name, i, err);
        }
      });
    };
    const ofLicense = <T extends { licenseId: string }>(table: Table<T, string, string>) => (r: T) => {
      this.need(this.licenses, r.licenseId, 'license');
      table.insert(r, log);
    };
    put('accounts', data.accounts, (r) => this.accounts.insert(r, log));
    put('tokens', data.tokens, (r) => this.insertToken(r, log));
    put('products', data.products, (r) => this.insertProduct(r, log));
    put('policies', data.policies, (r) => this.insertPolicy(r, log));
    put('licenses', data.licenses, (r) => this.insertLicenseRow(r, log));
    put('activations', data.activations, ofLicense(this.activations));
    put('ledger', data.ledger, ofLicense(this.ledger));
    put('idempotency', data.idempotency, ofLicense(this.idempotency));
    put('requests', data.requests, (r) => this.requests.insert(r, log));
    put('audit', data.audit, (r) => this.audit.insert(r, log));
    put('subjectRequests', data.subjectRequests, (r) => this.insertSubjectRequest(r, log));
    if (data.auditAnchor !== null) this.setAuditAnchor(data.auditAnchor, log);
    // Never behind the log (a hand-edited file, or a dump, which does not carry it): a seq is
    // not given out twice while its row exists.
    const ids = this.requests.ids();
    const last = ids.length > 0 ? this.requests.get(ids[ids.length - 1]!)!.seq : 0;
    const next = Math.max(data.nextRequestSeq, last + 1, this.requestSeq);
    const old = this.requestSeq;
    this.requestSeq = next;
    log.push(() => (this.requestSeq = old));
  }

  insertSubjectRequest(r: SubjectRequest, log: UndoLog): void {
    this.need(this.accounts, r.accountId, 'account');
    this.subjectRequests.insert(r, log);
  }

  /** A foreign key: the row must exist (SQLite would refuse it). */
  need(table: { get(id: string): object | undefined }, id: string, what: string): void {
    if (!table.get(id)) throw new Error(`${what} ${id} does not exist`);
  }

  insertToken(t: ApiToken, log: UndoLog): void {
    this.need(this.accounts, t.accountId, 'account');
    this.tokens.insert(t, log);
  }

  insertProduct(p: Product, log: UndoLog): void {
    this.need(this.accounts, p.accountId, 'account');
    this.products.insert(p, log);
  }

  /** The product with this id, if it belongs to the account. */
  product(accountId: string, id: string): Product | null {
    const p = this.products.get(id);
    return p && p.accountId === accountId ? p : null;
  }

  insertPolicy(po: Policy, log: UndoLog): void {
    this.need(this.accounts, po.accountId, 'account');
    this.need(this.products, po.productId, 'product');
    this.policies.insert(po, log);
  }

  /** Licenses keep their terms when their policy goes (SQLite's ON DELETE SET NULL). */
  removePolicy(id: string, log: UndoLog): void {
    for (const l of this.licenses.group('policy', id)) this.licenses.update({ ...l, policyId: null }, log);
    this.policies.remove(id, log);
  }

  insertLicenseRow(l: StoredLicense, log: UndoLog): void {
    this.need(this.accounts, l.accountId, 'account');
    this.need(this.products, l.productId, 'product');
    if (l.policyId !== null) this.need(this.policies, l.policyId, 'policy');
    this.licenses.insert(l, log);
  }

  /** A new license, with the ledger entry of its initial grant. */
  insertLicense(l: StoredLicense, log: UndoLog): void {
    this.insertLicenseRow(l, log);
    if (l.tokensTotal !== null && l.tokensTotal > 0) {
      this.ledger.insert({ id: `${l.id}_grant`, licenseId: l.id, delta: l.tokensTotal, reason: 'grant', idempotencyKey: null, createdAt: l.createdAt }, log);
    }
  }

  /**
   * Removes a license with what hangs off it (SQLite's ON DELETE CASCADE): its activations,
   * ledger entries and stored answers. Its request-log rows stay: they have their own retention.
   */
  removeLicense(id: string, log: UndoLog): { activations: number; ledger: number } {
    const activations = this.activations.group('license', id);
    const ledger = this.ledger.group('license', id);
    for (const a of activations) this.activations.remove(a.id, log);
    for (const e of ledger) this.ledger.remove(pair(id, e.id), log);
    for (const e of this.idempotency.group('license', id)) this.idempotency.remove(pair(id, e.key), log);
    this.licenses.remove(id, log);
    return { activations: activations.length, ledger: ledger.length };
  }

  /** Removes an activation; one that holds a seat gives it back, as a deactivation does. */
  removeActivation(a: Activation, log: UndoLog): void {
    this.releaseSeat(a, log);
    this.activations.remove(a.id, log);
  }

  /** Gives back the seat an active, non-development activation holds. */
  releaseSeat(a: Activation, log: UndoLog): void {
    if (a.deactivatedAt !== null || a.development) return;
    const l = this.licenses.get(a.licenseId);
    if (l && l.activationCount > 0) this.licenses.update({ ...l, activationCount: l.activationCount - 1 }, log);
  }

  /** The license with this id, if it belongs to the account. */
  license(accountId: string, id: string): StoredLicense | null {
    const l = this.licenses.get(id);
    return l && l.accountId === accountId ? l : null;
  }

  toLicense(r: StoredLicense): License {
    return { ...r, productSlug: this.products.get(r.productId)!.slug, metadata: jsonCopy(r.metadata) };
  }

  /** What the license API sees: no key material, no personal data. */
  toState(r: StoredLicense): LicenseState {
    return {
      id: r.id, accountId: r.accountId, productId: r.productId, productSlug: this.products.get(r.productId)!.slug,
      status: r.status, expiresAt: r.expiresAt, lock: r.lock, maxActivations: r.maxActivations,
      activationCount: r.activationCount, tokensRemaining: r.tokensRemaining, tokensTotal: r.tokensTotal,
      accountStatus: this.accounts.get(r.accountId)!.status,
    };
  }
}

/** An ordered table's rows in primary-key order. */
function* inOrder<T extends object>(table: Table<T, string, string>): Generator<T> {
  for (const id of table.ids()) yield table.get(id)!;
}
