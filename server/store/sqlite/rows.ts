import type {
  Account, AccountStatus, Activation, ApiToken, License, LicenseState, Policy, Product, Scope,
} from '../../domain/types.js';

/** Row mappers between SQLite rows and domain records. Times are epoch milliseconds. */
export type Row = Record<string, unknown>;

export const LICENSE_COLUMNS = `l.*, p.slug AS product_slug`;
export const LICENSE_FROM = `licenses l JOIN products p ON p.id = l.product_id`;
/** The license API's read: only the state columns, as a positional row (see `toState`). */
export const STATE_SELECT = `SELECT l.id, l.account_id, l.product_id, p.slug, l.status, l.expires_at, l.lock, l.max_activations,
  l.activation_count, l.tokens_remaining, l.tokens_total, a.status
  FROM licenses l JOIN products p ON p.id = l.product_id JOIN accounts a ON a.id = l.account_id`;

export function json(text: unknown): Record<string, unknown> {
  return typeof text === 'string' && text !== '' ? (JSON.parse(text) as Record<string, unknown>) : {};
}
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toAccount(r: Row): Account {
  return {
    id: String(r.id), name: String(r.name), status: r.status as AccountStatus, operator: r.operator === 1,
    createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}
export function toToken(r: Row): ApiToken {
  return {
    id: String(r.id), accountId: String(r.account_id), name: String(r.name),
    scopes: JSON.parse(String(r.scopes)) as Scope[], hash: String(r.hash), createdAt: Number(r.created_at),
    lastUsedAt: num(r.last_used_at), revokedAt: num(r.revoked_at),
  };
}
export function toProduct(r: Row): Product {
  return {
    id: String(r.id), accountId: String(r.account_id), name: String(r.name), slug: String(r.slug),
    keyPrefix: str(r.key_prefix), metadata: json(r.metadata), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}
export function toPolicy(r: Row): Policy {
  return {
    id: String(r.id), accountId: String(r.account_id), productId: String(r.product_id), name: String(r.name),
    durationDays: num(r.duration_days), lock: r.lock as Policy['lock'], maxActivations: num(r.max_activations),
    tokens: num(r.tokens), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}
export function toState(r: unknown[]): LicenseState {
  return {
    id: r[0] as string, accountId: r[1] as string, productId: r[2] as string, productSlug: r[3] as string,
    status: r[4] as License['status'], expiresAt: r[5] as number | null, lock: r[6] as License['lock'],
    maxActivations: r[7] as number | null, activationCount: r[8] as number, tokensRemaining: r[9] as number | null,
    tokensTotal: r[10] as number | null, accountStatus: r[11] as AccountStatus,
  };
}
export function toLicense(r: Row): License {
  return {
    id: String(r.id), accountId: String(r.account_id), productId: String(r.product_id),
    productSlug: String(r.product_slug), policyId: str(r.policy_id), keyDigest: String(r.key_digest),
    keyEncrypted: String(r.key_encrypted), status: r.status as License['status'], expiresAt: num(r.expires_at),
    durationDays: num(r.duration_days), lock: r.lock as License['lock'], maxActivations: num(r.max_activations),
    activationCount: Number(r.activation_count), tokensRemaining: num(r.tokens_remaining),
    tokensTotal: num(r.tokens_total), email: str(r.email), name: str(r.name), metadata: json(r.metadata),
    createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}
export function toActivation(r: Row): Activation {
  return {
    id: String(r.id), licenseId: String(r.license_id), domain: str(r.domain), device: str(r.device),
    label: str(r.label), development: r.development === 1, createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at), deactivatedAt: num(r.deactivated_at),
  };
}

export function licenseParams(l: License): Row {
  return {
    id: l.id, account_id: l.accountId, product_id: l.productId, policy_id: l.policyId, key_digest: l.keyDigest,
    key_encrypted: l.keyEncrypted, status: l.status, expires_at: l.expiresAt, duration_days: l.durationDays,
    lock: l.lock, max_activations: l.maxActivations, activation_count: l.activationCount,
    tokens_remaining: l.tokensRemaining, tokens_total: l.tokensTotal, email: l.email, name: l.name,
    metadata: JSON.stringify(l.metadata), created_at: l.createdAt, updated_at: l.updatedAt,
  };
}

