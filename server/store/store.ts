import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { PrivacyStore } from './privacy.js';
import type {
  Account, AccountStatus, Activation, ApiToken, License, LicenseStatus, LicenseState, Policy, Product,
} from '../domain/types.js';

/**
 * The one storage interface. Every method is asynchronous so that networked adapters
 * (PostgreSQL) fit as well as the embedded SQLite one. Every method that changes more than
 * one row is one transaction, and limits (seats, token balances) are enforced inside it.
 */
export interface Store extends PrivacyStore {
  readonly kind: 'sqlite' | 'json' | 'postgres';
  close(): Promise<void>;

  createAccount(account: Account): Promise<void>;
  getAccount(id: string): Promise<Account | null>;
  listAccounts(): Promise<Account[]>;
  setAccountStatus(id: string, status: AccountStatus, now: number): Promise<Account | null>;

  createToken(token: ApiToken): Promise<void>;
  findTokenByHash(hash: string): Promise<ApiToken | null>;
  listTokens(accountId: string): Promise<ApiToken[]>;
  revokeToken(accountId: string, id: string, now: number): Promise<boolean>;
  touchToken(id: string, now: number): Promise<void>;

  /** Throws `StoreConflict` when the slug is taken in the account. */
  createProduct(product: Product): Promise<void>;
  /** Finds a product by id or by slug. */
  getProduct(accountId: string, idOrSlug: string): Promise<Product | null>;
  listProducts(accountId: string): Promise<Product[]>;
  updateProduct(accountId: string, id: string, patch: ProductPatch, now: number): Promise<Product | null>;
  /** `in_use` when licenses still belong to it. */
  deleteProduct(accountId: string, id: string): Promise<'deleted' | 'not_found' | 'in_use'>;

  createPolicy(policy: Policy): Promise<void>;
  getPolicy(accountId: string, id: string): Promise<Policy | null>;
  listPolicies(accountId: string, productId?: string): Promise<Policy[]>;
  updatePolicy(accountId: string, id: string, patch: PolicyPatch, now: number): Promise<Policy | null>;
  deletePolicy(accountId: string, id: string): Promise<boolean>;

  /** Throws `StoreConflict` when a license with the same key digest exists. */
  createLicense(license: License): Promise<void>;
  /**
   * Imports licenses all or nothing: on any error (a bad row from the source, a duplicate key)
   * nothing is kept. `onRow` is called after each stored row for progress reporting.
   */
  importLicenses(rows: AsyncIterable<License>, onRow?: (count: number) => void): Promise<number>;
  findLicenseByDigest(digest: string): Promise<LicenseState | null>;
  getLicense(accountId: string, id: string): Promise<License | null>;
  listLicenses(accountId: string, query: LicenseQuery): Promise<{ items: License[]; nextCursor: string | null }>;
  /** Iterates every license of an account (or of all accounts) in id order, for exports. */
  iterateLicenses(accountId: string | null, batchSize?: number): AsyncIterable<License>;
  /**
   * Reads the license, applies `change` and writes the result, all in one transaction with the
   * row locked. `change` may throw to abort without writing.
   */
  modifyLicense(accountId: string, id: string, change: (license: License) => LicenseChange): Promise<License | null>;
  deleteLicense(accountId: string, id: string): Promise<boolean>;

  /** The active activation of a license for a domain or device, if any. */
  findActivation(licenseId: string, by: ActivationIdentity): Promise<Activation | null>;
  activate(input: ActivateInput): Promise<ActivateOutcome>;
  /** `choose` picks the activation from the license (it may throw to refuse). */
  deactivate(digest: string, choose: (license: LicenseState) => ActivationIdentity, now: number): Promise<DeactivateOutcome>;
  deactivateById(accountId: string, activationId: string, now: number): Promise<boolean>;
  resetActivations(accountId: string, licenseId: string, now: number): Promise<License | null>;
  listActivations(accountId: string, licenseId: string, includeInactive: boolean): Promise<Activation[] | null>;
  /** Records that activations were seen; batched by the caller, so it may lag a few seconds. */
  touchActivations(ids: readonly string[], now: number): Promise<void>;

  consume(input: ConsumeInput): Promise<ConsumeOutcome>;
  purgeIdempotency(before: number): Promise<number>;

  /**
   * Counters for the rate limiter that every server process on this store shares (so a client
   * cannot multiply its allowance by spreading requests over servers); null for single-process
   * stores, whose limiter keeps its counters in memory.
   */
  rateLimitCounters(name: string, durationSeconds: number): Promise<RateLimiterAbstract | null>;

  /**
   * Runs `fn` while no other server process on this store runs a `serialized` section, for
   * read-then-write steps such as the first start's bootstrap. Single-process stores just run it.
   */
  serialized<T>(fn: () => Promise<T>): Promise<T>;
}

export class StoreConflict extends Error {
  /** `row`: in an import, the number (from 1) of the license that conflicts, when known. */
  constructor(readonly what: 'slug' | 'key' | 'activation', readonly row: number | null = null) {
    super(`${what} already exists`);
    this.name = 'StoreConflict';
  }
}

/** A partial update: absent or undefined fields keep their value. */
export type Patch<T> = { [K in keyof T]?: T[K] | undefined };
export type ProductPatch = Patch<Pick<Product, 'name' | 'slug' | 'keyPrefix' | 'metadata'>>;
export type PolicyPatch = Patch<Pick<Policy, 'name' | 'durationDays' | 'lock' | 'maxActivations' | 'tokens'>>;

export function applyPatch<T extends object>(current: T, patch: Patch<Partial<T>>): T {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
  return next;
}

export interface LicenseQuery {
  status?: LicenseStatus | undefined;
  productId?: string | undefined;
  email?: string | undefined;
  /** Free text: matches the id, the key (through `qDigest`), email or name. */
  q?: string | undefined;
  qDigest?: string | undefined;
  limit: number;
  /** Creation order (the default) or expiry date; see `LicenseSort`. */
  sort?: LicenseSort | undefined;
  /** `desc` (the default: newest, or latest expiry, first) or `asc`. */
  order?: SortOrder | undefined;
  /** A `nextCursor` this list returned for the same sort and order (see `parseLicenseCursor`). */
  cursor?: string | undefined;
  now: number;
}

/**
 * How the license list is ordered. `createdAt` is the id order: ids are time-ordered (their
 * first 48 bits are the creation millisecond), so this is creation time with the id breaking
 * ties, on the primary index. `expiresAt` orders by expiry then id; a license that never expires
 * sorts as if it expired after every dated one (last ascending, first descending).
 */
export const LICENSE_SORTS = ['createdAt', 'expiresAt'] as const;
export type LicenseSort = (typeof LICENSE_SORTS)[number];
export const SORT_ORDERS = ['desc', 'asc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
/** The expiry sort key of a license that never expires: after every real date (epoch ms). */
export const NEVER_EXPIRES = Number.MAX_SAFE_INTEGER;

/** Where a list page resumes: after (or, descending, before) this sort value and id. */
export interface LicensePosition {
  id: string;
  /** The expiry sort key (`NEVER_EXPIRES` for none); 0 for the creation order, which needs only the id. */
  value: number;
}

export const expirySortKey = (expiresAt: number | null): number => expiresAt ?? NEVER_EXPIRES;

/**
 * The cursor of the page after `last`. The default order (creation, descending) keeps the
 * original format, the bare id, so that cursors held by older clients still work; the others
 * name their sort and order, so that a cursor is refused by any other sort.
 */
export function licenseCursor(sort: LicenseSort, order: SortOrder, last: License): string {
  if (sort === 'createdAt') return order === 'desc' ? last.id : `createdAt.asc.${last.id}`;
  return `expiresAt.${order}.${last.expiresAt === null ? 'never' : String(last.expiresAt)}.${last.id}`;
}

const ID = 'lic_[0-9A-Z]{1,64}';
const CURSORS: Record<LicenseSort, RegExp> = {
  createdAt: new RegExp(`^(?:createdAt\\.(asc)\\.)?(${ID})$`),
  expiresAt: new RegExp(`^expiresAt\\.(asc|desc)\\.(never|\\d{1,16})\\.(${ID})$`),
};

/** Reads a cursor made by `licenseCursor` for this sort and order; null if it is not one. */
export function parseLicenseCursor(sort: LicenseSort, order: SortOrder, cursor: string): LicensePosition | null {
  const m = CURSORS[sort].exec(cursor);
  if (!m) return null;
  if (sort === 'createdAt') return (m[1] ?? 'desc') === order ? { id: m[2]!, value: 0 } : null;
  if (m[1] !== order) return null;
  const value = m[2] === 'never' ? NEVER_EXPIRES : Number(m[2]);
  return value < NEVER_EXPIRES || m[2] === 'never' ? { id: m[3]!, value } : null;
}

/** `parseLicenseCursor` for the stores: a cursor that is not one of this sort's is a caller's error. */
export function licensePosition(q: LicenseQuery): LicensePosition | null {
  if (q.cursor === undefined) return null;
  const at = parseLicenseCursor(q.sort ?? 'createdAt', q.order ?? 'desc', q.cursor);
  if (!at) throw new RangeError('The cursor belongs to another sort or order, or is not a license cursor.');
  return at;
}

/** What `modifyLicense` may change, plus an optional ledger entry to append atomically. */
export interface LicenseChange {
  license: License;
  ledger?: { id: string; delta: number; reason: 'add' | 'grant' };
}

export type ActivationIdentity = { domain: string } | { device: string };

/** What an activation will record, decided by the domain from the license it applies to. */
export interface ActivationPlan {
  domain: string | null;
  device: string | null;
  label: string | null;
  development: boolean;
}

export interface ActivateInput {
  /** The key's digest: the license is found inside the transaction, with one read. */
  digest: string;
  id: string;
  now: number;
  /** Checks the license (it may throw to refuse) and says what to record. */
  plan: (license: LicenseState) => ActivationPlan;
  /**
   * An early look at a created or existing activation, inside the change's transaction and
   * before it commits, for a store that settles the change in this same turn of the event loop
   * (SQLite's group commit does): the caller can render its answer and start signing it
   * meanwhile. Optional for a store; it must not throw; the outcome the promise gives is what counts.
   */
  settled?: (outcome: ActivatedOutcome) => void;
}

export type ActivatedOutcome = { kind: 'created' | 'existing'; activation: Activation; license: LicenseState };

export type ActivateOutcome =
  | ActivatedOutcome
  | { kind: 'limit'; license: LicenseState }
  | { kind: 'not_found' };

export type DeactivateOutcome =
  | { kind: 'deactivated'; activation: Activation; license: LicenseState }
  | { kind: 'not_active' }
  | { kind: 'not_found' };

/** A rendered answer, kept so that a repeated idempotency key gets the very same bytes. */
export interface StoredResponse {
  status: number;
  body: Buffer;
}

export type ConsumeDecision =
  | { kind: 'ok'; license: LicenseState; consumed: number }
  | { kind: 'refused'; code: 'REVOKED' | 'SUSPENDED' | 'EXPIRED' | 'NO_TOKEN_BUDGET' | 'INSUFFICIENT_TOKENS'; license: LicenseState };

export interface ConsumeInput {
  /** The key's digest: the license is found inside the transaction, with one read. */
  digest: string;
  amount: number;
  idempotencyKey: string | null;
  ledgerId: string;
  now: number;
  /** Turns the decision into the answer; called inside the transaction so the answer is stored with it. */
  render: (decision: ConsumeDecision) => StoredResponse;
  /**
   * An early look at the rendered answer (the very object the promise will give), for a store
   * that settles the change in this same turn of the event loop, with no I/O before: the caller
   * can start signing it meanwhile. Optional for a store; it must not throw.
   */
  settled?: (response: StoredResponse) => void;
}

export type ConsumeOutcome =
  | { kind: 'answer'; response: StoredResponse; replayed: boolean }
  | { kind: 'mismatch' }
  | { kind: 'not_found' };

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** An answer kept for an idempotency key, as a store read it back. */
export interface PriorAnswer {
  amount: number;
  status: number;
  body: Buffer;
  createdAt: number;
}

/**
 * The rule every store applies to a repeated idempotency key: within the window, the first
 * answer again (or IDEMPOTENCY_MISMATCH for another amount); past it, null (a new consume).
 */
export function replayOf(prior: PriorAnswer | null | undefined, amount: number, now: number): ConsumeOutcome | null {
  if (!prior || prior.createdAt <= now - IDEMPOTENCY_WINDOW_MS) return null;
  if (prior.amount !== amount) return { kind: 'mismatch' };
  return { kind: 'answer', replayed: true, response: { status: prior.status, body: prior.body } };
}

/** A PriorAnswer from an SQL row (`amount`, `status`, `body`, `created_at`). */
export function priorFromRow(r: Record<string, unknown> | undefined): PriorAnswer | null {
  return r ? { amount: Number(r.amount), status: Number(r.status), body: r.body as Buffer, createdAt: Number(r.created_at) } : null;
}
