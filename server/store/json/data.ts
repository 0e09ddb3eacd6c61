import type { Account, Activation, ApiToken, LedgerEntry, License, LicenseState, Policy, Product } from '../../domain/types.js';
import { StoreConflict } from '../store.js';
import type { TableName } from './file.js';
import type { FileData, StoredIdempotency, StoredLicense } from './schema.js';
import { Table, type UndoLog } from './table.js';

/** A compound key; the first part is an id, which never holds a slash. */
export const pair = (a: string, b: string) => `${a}/${b}`;
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

  /** Every table, as the file writer takes them. */
  tables(): Record<TableName, Iterable<object>> {
    const licenses = this.licenses;
    return {
      accounts: this.accounts.values(), tokens: this.tokens.values(), products: this.products.values(),
      policies: this.policies.values(), activations: this.activations.values(), ledger: this.ledger.values(),
      idempotency: this.idempotency.values(),
      licenses: (function* () {
        for (const id of licenses.ids()) yield licenses.get(id)!;
      })(),
    };
  }

  isEmpty(): boolean {
    return this.accounts.size === 0;
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
