import type { AuditAnchor, AuditEntry, RequestAction, RequestLogEntry, SubjectRequest } from '../privacy.js';
import type {
  Account, AccountStatus, Activation, ApiToken, LedgerEntry, License, LicenseState, Policy, Product, Scope,
} from '../../domain/types.js';

/**
 * Row mapping between the SQL stores (SQLite and PostgreSQL) and the domain records: both use
 * the same table and column names. pg returns BIGINT (times, token counts) as strings and
 * SQLite stores booleans as 0/1, so every number goes through `Number` and every flag
 * through `flag`.
 */
export type Row = Record<string, unknown>;

/** A whole license as PostgreSQL keeps it, one row (SQLite splits it in two: see sqlite/rows.ts). */
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
    apiSuspendedAt: num(r.api_suspended_at), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
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

export function toLedger(r: Row): LedgerEntry {
  return {
    id: String(r.id), licenseId: String(r.license_id), delta: Number(r.delta), reason: r.reason as LedgerEntry['reason'],
    idempotencyKey: str(r.idempotency_key), createdAt: Number(r.created_at),
  };
}

// Privacy records ------------------------------------------------------------------------

export const REQUEST_COLUMNS = ['seq', 'at', 'account_id', 'license_id', 'action', 'code', 'status', 'ip', 'domain', 'device', 'tokens', 'latency_ms'] as const;

export function requestValues(e: RequestLogEntry | Omit<RequestLogEntry, 'seq'>): unknown[] {
  return [e.at, e.accountId, e.licenseId, e.action, e.code, e.status, e.ip, e.domain, e.device, e.tokens, e.latencyMs];
}

export function toRequest(r: Row): RequestLogEntry {
  return {
    seq: Number(r.seq), at: Number(r.at), accountId: str(r.account_id), licenseId: str(r.license_id),
    action: r.action as RequestAction, code: String(r.code), status: Number(r.status), ip: str(r.ip), domain: str(r.domain),
    device: str(r.device), tokens: num(r.tokens), latencyMs: Number(r.latency_ms),
  };
}

export const AUDIT_COLUMNS = ['seq', 'at', 'account_id', 'actor', 'action', 'target', 'ip', 'ip_salt', 'ip_commit', 'detail', 'prev_hash', 'hash'] as const;

export function auditValues(e: AuditEntry): unknown[] {
  return [e.seq, e.at, e.accountId, e.actor, e.action, e.target, e.ip, e.ipSalt, e.ipCommit, JSON.stringify(e.detail), e.prevHash, e.hash];
}

export function toAudit(r: Row): AuditEntry {
  return {
    seq: Number(r.seq), at: Number(r.at), accountId: str(r.account_id), actor: String(r.actor), action: String(r.action),
    target: str(r.target), ip: str(r.ip), ipSalt: str(r.ip_salt), ipCommit: str(r.ip_commit), detail: json(r.detail),
    prevHash: String(r.prev_hash), hash: String(r.hash),
  };
}

/** The audit anchor lives in `privacy_meta` under this key, as JSON. */
export const AUDIT_ANCHOR_KEY = 'audit_anchor';
export function toAnchor(value: unknown): AuditAnchor | null {
  if (typeof value !== 'string') return null;
  const a = JSON.parse(value) as AuditAnchor;
  return { seq: Number(a.seq), hash: String(a.hash) };
}

export const SUBJECT_REQUEST_COLUMNS = [
  'id', 'account_id', 'kind', 'subject_kind', 'subject_digest', 'subject_encrypted', 'received_at', 'due_at', 'instruction',
  'status', 'completed_at', 'artefact', 'created_at',
] as const;

export function subjectRequestValues(q: SubjectRequest): unknown[] {
  return [
    q.id, q.accountId, q.kind, q.subjectKind, q.subjectDigest, q.subjectEncrypted, q.receivedAt, q.dueAt, q.instruction,
    q.status, q.completedAt, q.artefact === null ? null : JSON.stringify(q.artefact), q.createdAt,
  ];
}

export function toSubjectRequest(r: Row): SubjectRequest {
  return {
    id: String(r.id), accountId: String(r.account_id), kind: r.kind as SubjectRequest['kind'],
    subjectKind: r.subject_kind as SubjectRequest['subjectKind'], subjectDigest: String(r.subject_digest),
    subjectEncrypted: str(r.subject_encrypted), receivedAt: Number(r.received_at), dueAt: Number(r.due_at),
    instruction: str(r.instruction), status: r.status as SubjectRequest['status'], completedAt: num(r.completed_at),
    artefact: r.artefact === null || r.artefact === undefined ? null : json(r.artefact), createdAt: Number(r.created_at),
  };
}
