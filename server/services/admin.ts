import { createHash, randomBytes } from 'node:crypto';
import type { Core } from '../core.js';
import { generateKey, MIN_IMPORTED_KEY_LENGTH, normalizeKey } from '../crypto/keys.js';
import { AppError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type {
  Account, ApiToken, License, LockType, Policy, Product, Scope, StoredLicenseStatus,
} from '../domain/types.js';
import { StoreConflict, type LicenseChange } from '../store/store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

// Accounts and tokens -------------------------------------------------------------------

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newTokenSecret(): string {
  return `bk_${randomBytes(32).toString('base64url')}`;
}

export async function createAccount(core: Core, name: string, operator = false): Promise<Account> {
  const now = core.now();
  const account: Account = { id: newId('acc', now), name, status: 'active', operator, apiSuspendedAt: null, createdAt: now, updatedAt: now };
  await core.store.createAccount(account);
  return account;
}

/** Creates an API token; the secret is returned once and only its hash is stored. */
export async function createToken(
  core: Core, accountId: string, name: string, scopes: Scope[], secret = newTokenSecret(),
): Promise<{ token: string; record: ApiToken }> {
  const now = core.now();
  const record: ApiToken = {
    id: newId('tok', now), accountId, name, scopes: [...new Set(scopes)], hash: hashToken(secret),
    createdAt: now, lastUsedAt: null, revokedAt: null,
  };
  await core.store.createToken(record);
  return { token: secret, record };
}

/** `admin` includes `write`, which includes `read`. */
export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  if (granted.includes('admin')) return true;
  if (needed === 'read') return granted.includes('read') || granted.includes('write');
  return granted.includes(needed);
}

// Products and policies -----------------------------------------------------------------

export async function createProduct(
  core: Core, accountId: string, input: { name: string; slug: string; keyPrefix?: string | null | undefined; metadata?: Record<string, unknown> | undefined },
): Promise<Product> {
  const now = core.now();
  const product: Product = {
    id: newId('prd', now), accountId, name: input.name, slug: input.slug, keyPrefix: input.keyPrefix ?? null,
    metadata: input.metadata ?? {}, createdAt: now, updatedAt: now,
  };
  try {
    await core.store.createProduct(product);
  } catch (err) {
    if (err instanceof StoreConflict) throw new AppError('CONFLICT', `A product with the slug "${input.slug}" already exists.`);
    throw err;
  }
  return product;
}

export async function requireProduct(core: Core, accountId: string, idOrSlug: string): Promise<Product> {
  const product = await core.store.getProduct(accountId, idOrSlug);
  if (!product) throw new AppError('PRODUCT_NOT_FOUND', `There is no product "${idOrSlug}".`);
  return product;
}

export interface PolicyInput {
  product: string;
  name: string;
  durationDays?: number | null | undefined;
  lock?: LockType | undefined;
  maxActivations?: number | null | undefined;
  tokens?: number | null | undefined;
}

export async function createPolicy(core: Core, accountId: string, input: PolicyInput): Promise<Policy> {
  const product = await requireProduct(core, accountId, input.product);
  const now = core.now();
  const policy: Policy = {
    id: newId('pol', now), accountId, productId: product.id, name: input.name,
    durationDays: input.durationDays ?? null, lock: input.lock ?? 'none', maxActivations: input.maxActivations ?? null,
    tokens: input.tokens ?? null, createdAt: now, updatedAt: now,
  };
  await core.store.createPolicy(policy);
  return policy;
}

// Licenses ------------------------------------------------------------------------------

export interface LicenseInput {
  product: string;
  policy?: string | undefined;
  lock?: LockType | undefined;
  maxActivations?: number | null | undefined;
  tokens?: number | null | undefined;
  expiresAt?: string | null | undefined;
  email?: string | undefined;
  name?: string | undefined;
  key?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** Imports may carry a status; the admin API always creates active licenses. */
  status?: StoredLicenseStatus | undefined;
}

export function checkImportedKey(key: string): void {
  const n = normalizeKey(key);
  if (n.length < MIN_IMPORTED_KEY_LENGTH) {
    throw new AppError('VALIDATION_ERROR', `An imported key must have at least ${MIN_IMPORTED_KEY_LENGTH} characters besides spaces and dashes.`,
      [{ path: 'key', message: `at least ${MIN_IMPORTED_KEY_LENGTH} characters` }]);
  }
}

/**
 * Builds a license record from admin input, the product and an optional policy: explicit
 * values win over the policy's defaults. Pure apart from randomness; also used by imports.
 */
export function buildLicense(
  core: Core, accountId: string, product: Product, policy: Policy | null, input: LicenseInput, now: number,
): { key: string; license: License } {
  if (input.key !== undefined) checkImportedKey(input.key);
  const key = input.key ?? generateKey(product.keyPrefix);
  const tokens = input.tokens !== undefined ? input.tokens : (policy?.tokens ?? null);
  const durationDays = policy?.durationDays ?? null;
  let expiresAt: number | null;
  if (input.expiresAt !== undefined) expiresAt = input.expiresAt === null ? null : Date.parse(input.expiresAt);
  else expiresAt = durationDays !== null ? now + durationDays * DAY_MS : null;
  return {
    key,
    license: {
      id: newId('lic', now), accountId, productId: product.id, productSlug: product.slug, policyId: policy?.id ?? null,
      keyDigest: core.vault.digest(key), keyEncrypted: core.vault.encrypt(key), status: input.status ?? 'active',
      expiresAt, durationDays, lock: input.lock ?? policy?.lock ?? 'none',
      maxActivations: input.maxActivations !== undefined ? input.maxActivations : (policy?.maxActivations ?? null),
      activationCount: 0, tokensRemaining: tokens, tokensTotal: tokens, email: input.email ?? null, name: input.name ?? null,
      metadata: input.metadata ?? {}, createdAt: now, updatedAt: now,
    },
  };
}

export async function resolvePolicy(core: Core, accountId: string, product: Product, policyId: string | undefined): Promise<Policy | null> {
  if (policyId === undefined) return null;
  const policy = await core.store.getPolicy(accountId, policyId);
  if (!policy) throw new AppError('POLICY_NOT_FOUND', `There is no policy "${policyId}".`);
  if (policy.productId !== product.id) {
    throw new AppError('VALIDATION_ERROR', 'The policy belongs to another product.', [{ path: 'policy', message: 'belongs to another product' }]);
  }
  return policy;
}

export async function createLicense(core: Core, accountId: string, input: LicenseInput): Promise<{ key: string; license: License }> {
  const product = await requireProduct(core, accountId, input.product);
  const policy = await resolvePolicy(core, accountId, product, input.policy);
  const built = buildLicense(core, accountId, product, policy, input, core.now());
  try {
    await core.store.createLicense(built.license);
  } catch (err) {
    if (err instanceof StoreConflict) throw new AppError('CONFLICT', 'A license with this key already exists.');
    throw err;
  }
  return built;
}

export async function requireLicense(core: Core, accountId: string, id: string): Promise<License> {
  const license = await core.store.getLicense(accountId, id);
  if (!license) throw new AppError('NOT_FOUND', `There is no license "${id}".`);
  return license;
}

/** Applies a change to a license atomically, or answers 404. */
export async function changeLicense(
  core: Core, accountId: string, id: string, change: (l: License, now: number) => LicenseChange,
): Promise<License> {
  const now = core.now();
  const updated = await core.store.modifyLicense(accountId, id, (l) => change(l, now));
  if (!updated) throw new AppError('NOT_FOUND', `There is no license "${id}".`);
  return updated;
}

function notRevoked(l: License, action: string): void {
  if (l.status === 'revoked') throw new AppError('LICENSE_REVOKED', `The license is revoked; it cannot be ${action}.`);
}

export const licenseActions = {
  suspend: (l: License, now: number): LicenseChange => {
    notRevoked(l, 'suspended');
    return { license: { ...l, status: 'suspended', updatedAt: now } };
  },
  reinstate: (l: License, now: number): LicenseChange => {
    notRevoked(l, 'reinstated');
    return { license: { ...l, status: 'active', updatedAt: now } };
  },
  revoke: (l: License, now: number): LicenseChange => ({ license: { ...l, status: 'revoked', updatedAt: now } }),
  /** Extends from the later of now and the current expiry, by `days` or the license's term. */
  renew: (input: { days?: number | undefined; expiresAt?: string | undefined }) => (l: License, now: number): LicenseChange => {
    notRevoked(l, 'renewed');
    let expiresAt: number;
    if (input.expiresAt !== undefined) expiresAt = Date.parse(input.expiresAt);
    else {
      const days = input.days ?? l.durationDays;
      if (days === null) {
        throw new AppError('VALIDATION_ERROR', 'This license has no term: give days or expiresAt to renew it.',
          [{ path: 'days', message: 'required for a license without a term' }]);
      }
      expiresAt = Math.max(now, l.expiresAt ?? now) + days * DAY_MS;
    }
    return { license: { ...l, expiresAt, updatedAt: now } };
  },
  addTokens: (amount: number, ledgerId: string) => (l: License, now: number): LicenseChange => ({
    license: {
      ...l, tokensRemaining: (l.tokensRemaining ?? 0) + amount, tokensTotal: (l.tokensTotal ?? 0) + amount, updatedAt: now,
    },
    ledger: { id: ledgerId, delta: amount, reason: 'add' },
  }),
};
