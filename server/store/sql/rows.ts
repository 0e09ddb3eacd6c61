import type {
  Account, AccountStatus, Activation, ApiToken, License, LicenseState, Policy, Product, Scope,
} from '../../domain/types.js';

/**
 * Row mapping between the SQL stores (SQLite and PostgreSQL) and the domain records: both use
 * the same table and column names. pg returns BIGINT (times, token counts) as strings and
 * SQLite stores booleans as 0/1, so every number goes through `Number` and every flag
 * through `flag`.
 */
export type Row = Record<string, unknown>;

export const LICENSE_COLUMNS = `l.*, p.slug AS product_slug`;
export const LICENSE_FROM = `licenses l JOIN products p ON p.id = l.product_id`;
/** The license API's read: only the state columns, never key material or personal data. */
export const STATE_SELECT = `SELECT l.id, l.account_id, l.product_id, p.slug AS product_slug, l.status, l.expires_at,
  l.lock, l.max_activations, l.activation_count, l.tokens_remaining, l.tokens_total, a.status AS account_status
  FROM licenses l JOIN products p ON p.id = l.product_id JOIN accounts a ON a.id = l.account_id`;

/** The license columns in insert order; `licenseValues` gives the values in the same order. */
export const LICENSE_INSERT_COLUMNS = [
  'id', 'account_id', 'product_id', 'policy_id', 'key_digest', 'key_encrypted', 'status', 'expires_at',
  'duration_days', 'lock', 'max_activations', 'activation_count', 'tokens_remaining', 'tokens_total', 'email',
  'name', 'metadata', 'created_at', 'updated_at',
] as const;
/** Their SQL types, for `unnest` of whole columns in bulk imports. */
export const LICENSE_INSERT_TYPES = [
  'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'integer', 'text', 'integer', 'integer',
  'bigint', 'bigint', 'text', 'text', 'text', 'bigint', 'bigint',
] as const;

export function licenseValues(l: License): unknown[] {
  return [
    l.id, l.accountId, l.productId, l.policyId, l.keyDigest, l.keyEncrypted, l.status, l.expiresAt, l.durationDays,
    l.lock, l.maxActivations, l.activationCount, l.tokensRemaining, l.tokensTotal, l.email, l.name,
    JSON.stringify(l.metadata), l.createdAt, l.updatedAt,
  ];
}

const flag = (v: unknown): boolean => v === true || v === 1;

function json(text: unknown): Record<string, unknown> {
  return typeof text === 'string' && text !== '' ? (JSON.parse(text) as Record<string, unknown>) : {};
}
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toAccount(r: Row): Account {
  return {
    id: String(r.id), name: String(r.name), status: r.status as AccountStatus, operator: flag(r.operator),
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

export function toState(r: Row): LicenseState {
  return {
    id: String(r.id), accountId: String(r.account_id), productId: String(r.product_id), productSlug: String(r.product_slug),
    status: r.status as License['status'], expiresAt: num(r.expires_at), lock: r.lock as License['lock'],
    maxActivations: num(r.max_activations), activationCount: Number(r.activation_count),
    tokensRemaining: num(r.tokens_remaining), tokensTotal: num(r.tokens_total), accountStatus: r.account_status as AccountStatus,
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
    label: str(r.label), development: flag(r.development), createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at), deactivatedAt: num(r.deactivated_at),
  };
}
