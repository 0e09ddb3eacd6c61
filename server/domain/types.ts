/** Plain records shared by the domain, the stores and the HTTP layer. Times are epoch milliseconds. */

export type LockType = 'none' | 'domain' | 'device';
export type StoredLicenseStatus = 'active' | 'suspended' | 'revoked';
export type LicenseStatus = StoredLicenseStatus | 'expired';
export type AccountStatus = 'active' | 'suspended';
export type Scope = 'read' | 'write' | 'admin';

export interface Account {
  id: string;
  name: string;
  status: AccountStatus;
  /** The operator account (created by `init`) may manage the other accounts. */
  operator: boolean;
  /** Set while the account's admin API access is shut down (breach response); null otherwise. */
  apiSuspendedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ApiToken {
  id: string;
  accountId: string;
  name: string;
  scopes: Scope[];
  /** SHA-256 of the token; the token itself is shown once and never stored. */
  hash: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface Product {
  id: string;
  accountId: string;
  name: string;
  slug: string;
  /** Optional prefix put in front of generated keys, e.g. `MYPLUGIN`. */
  keyPrefix: string | null;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface Policy {
  id: string;
  accountId: string;
  productId: string;
  name: string;
  /** Length of a license term in days; null: licenses do not expire. */
  durationDays: number | null;
  lock: LockType;
  maxActivations: number | null;
  tokens: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface License {
  id: string;
  accountId: string;
  productId: string;
  productSlug: string;
  policyId: string | null;
  keyDigest: string;
  /** AES-256-GCM ciphertext of the key (base64 of iv | tag | ciphertext). */
  keyEncrypted: string;
  status: StoredLicenseStatus;
  expiresAt: number | null;
  durationDays: number | null;
  lock: LockType;
  maxActivations: number | null;
  /** Activations that count against the limit (active and not development). */
  activationCount: number;
  tokensRemaining: number | null;
  tokensTotal: number | null;
  email: string | null;
  name: string | null;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/**
 * What the license API reads of a license: its state, and its account's status for the
 * SUSPENDED check. Deliberately no key material and no personal data.
 */
export type LicenseState = Pick<
  License,
  'id' | 'accountId' | 'productId' | 'productSlug' | 'status' | 'expiresAt' | 'lock' | 'maxActivations' |
  'activationCount' | 'tokensRemaining' | 'tokensTotal'
> & { accountStatus: AccountStatus };

export interface Activation {
  id: string;
  licenseId: string;
  domain: string | null;
  device: string | null;
  label: string | null;
  development: boolean;
  createdAt: number;
  lastSeenAt: number;
  deactivatedAt: number | null;
}

export interface LedgerEntry {
  id: string;
  licenseId: string;
  /** Positive for grants, negative for consumption. */
  delta: number;
  reason: 'grant' | 'consume' | 'add';
  idempotencyKey: string | null;
  createdAt: number;
}
