import { z } from 'zod';
import type { Account, Activation, ApiToken, LedgerEntry, License, Policy, Product } from '../../domain/types.js';
import type { AuditAnchor, AuditEntry, RequestLogEntry, SubjectRequest } from '../privacy.js';

/**
 * The shape of the JSON store's file. It is meant to be read (and, carefully, edited) by people,
 * so every record is checked at open and unknown fields are refused rather than silently dropped
 * on the next write. Times are epoch milliseconds, as everywhere in the store.
 */
export const FILE_VERSION = 2;
/**
 * Version 1 is the file before the privacy engine: no request log, audit chain or data-subject
 * requests, and accounts without `apiSuspendedAt`. It is read by `upgradeFile`; the first
 * write turns it into this version (and keeps the version 1 text as `.bak`, which the previous
 * BatchKeys can still open).
 */
const OLDEST_READABLE = 1;

const id = z.string().min(1);
const time = z.number().int().nonnegative();
const count = z.number().int().nonnegative();
const lock = z.enum(['none', 'domain', 'device']);
const metadata = z.record(z.string(), z.unknown());

const account = z.strictObject({
  id, name: z.string(), status: z.enum(['active', 'suspended']), operator: z.boolean(), apiSuspendedAt: time.nullable(),
  createdAt: time, updatedAt: time,
});
const token = z.strictObject({
  id, accountId: id, name: z.string(), scopes: z.array(z.enum(['read', 'write', 'admin'])), hash: z.string().min(1),
  createdAt: time, lastUsedAt: time.nullable(), revokedAt: time.nullable(),
});
const product = z.strictObject({
  id, accountId: id, name: z.string(), slug: z.string().min(1), keyPrefix: z.string().nullable(), metadata,
  createdAt: time, updatedAt: time,
});
const policy = z.strictObject({
  id, accountId: id, productId: id, name: z.string(), durationDays: z.number().int().nullable(), lock,
  maxActivations: count.nullable(), tokens: count.nullable(), createdAt: time, updatedAt: time,
});
/** A license as stored: its product's slug is looked up, not copied (a slug can change). */
const storedLicense = z.strictObject({
  id, accountId: id, productId: id, policyId: id.nullable(), keyDigest: z.string().min(1), keyEncrypted: z.string().min(1),
  status: z.enum(['active', 'suspended', 'revoked']), expiresAt: z.number().int().nullable(),
  durationDays: z.number().int().nullable(), lock, maxActivations: count.nullable(), activationCount: count,
  tokensRemaining: count.nullable(), tokensTotal: z.number().int().nullable(), email: z.string().nullable(),
  name: z.string().nullable(), metadata, createdAt: time, updatedAt: time,
});
const activation = z.strictObject({
  id, licenseId: id, domain: z.string().nullable(), device: z.string().nullable(), label: z.string().nullable(),
  development: z.boolean(), createdAt: time, lastSeenAt: time, deactivatedAt: time.nullable(),
});
const ledger = z.strictObject({
  id, licenseId: id, delta: z.number().int(), reason: z.enum(['grant', 'consume', 'add']),
  idempotencyKey: z.string().nullable(), createdAt: time,
});
/** A stored answer: UTF-8 text when its bytes are valid UTF-8 (they are JSON), base64 otherwise. */
const idempotency = z.strictObject({
  licenseId: id, key: z.string(), amount: z.number().int(), status: z.number().int(),
  body: z.string(), bodyEncoding: z.enum(['utf8', 'base64']), createdAt: time,
});

/** One public license API request; `seq` is the store's, increasing. */
const request = z.strictObject({
  seq: z.number().int().positive(), at: time, accountId: id.nullable(), licenseId: id.nullable(),
  action: z.enum(['validate', 'activate', 'deactivate', 'consume']), code: z.string().min(1), status: z.number().int(),
  ip: z.string().nullable(), domain: z.string().nullable(), device: z.string().nullable(), tokens: z.number().int().nullable(),
  latencyMs: z.number().nonnegative(),
});
const hash = z.string().min(1);
const audit = z.strictObject({
  seq: z.number().int().positive(), at: time, accountId: id.nullable(), actor: z.string().min(1), action: z.string().min(1),
  target: z.string().nullable(), ip: z.string().nullable(), ipSalt: z.string().nullable(), ipCommit: z.string().nullable(),
  detail: metadata, prevHash: hash, hash,
});
const auditAnchor = z.strictObject({ seq: count, hash });
const subjectKind = z.enum(['email', 'ip', 'domain', 'device']);
const subjectRequest = z.strictObject({
  id, accountId: id, kind: z.enum(['access', 'export', 'rectify', 'erase']), subjectKind, subjectDigest: z.string().min(1),
  subjectEncrypted: z.string().nullable(), receivedAt: time, dueAt: time, instruction: z.string().nullable(),
  status: z.enum(['open', 'completed']), completedAt: time.nullable(), artefact: metadata.nullable(), createdAt: time,
});

export const fileSchema = z.strictObject({
  version: z.literal(FILE_VERSION),
  /** The `seq` the next request-log entry takes: kept, so that a seq is never given out twice. */
  nextRequestSeq: z.number().int().positive(),
  /** Where the audit chain starts; null until retention first removes entries (the genesis). */
  auditAnchor: auditAnchor.nullable(),
  accounts: z.array(account),
  tokens: z.array(token),
  products: z.array(product),
  policies: z.array(policy),
  licenses: z.array(storedLicense),
  activations: z.array(activation),
  ledger: z.array(ledger),
  idempotency: z.array(idempotency),
  requests: z.array(request),
  audit: z.array(audit),
  subjectRequests: z.array(subjectRequest),
});

export type FileData = z.infer<typeof fileSchema>;
type TableName = (typeof TABLES)[number];

const records = {
  accounts: account, tokens: token, products: product, policies: policy, licenses: storedLicense, activations: activation, ledger,
  idempotency, requests: request, audit, subjectRequests: subjectRequest,
};

/**
 * Checks one record on its way in, as SQLite's column types and CHECK constraints would, and
 * returns a deep copy (through JSON, as SQLite stores metadata), so no caller keeps a handle on
 * a stored row.
 */
export function checkRecord<N extends TableName>(table: N, value: unknown): FileData[N][number] {
  const checked = records[table].safeParse(JSON.parse(JSON.stringify(value)));
  if (!checked.success) throw new Error(`invalid ${table} record: ${describeIssues(checked.error)}`);
  return checked.data as FileData[N][number];
}

/** Checks an audit anchor (from a dump) as `checkRecord` checks a record. */
export function checkAnchor(value: unknown): AuditAnchor {
  const checked = auditAnchor.safeParse(value);
  if (!checked.success) throw new Error(`invalid audit anchor: ${describeIssues(checked.error)}`);
  return checked.data;
}

/**
 * Brings a file of an older readable version to this version's shape, before it is checked:
 * the tables it lacks are empty, the fields it lacks take the value that means "not set". A file
 * of any other version (or not an object) is returned as it is, for the check to describe.
 */
export function upgradeFile(raw: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(raw) || raw.version !== OLDEST_READABLE) return raw;
  const accounts = Array.isArray(raw.accounts)
    ? raw.accounts.map((a: unknown) => (isObject(a) && !('apiSuspendedAt' in a) ? { ...a, apiSuspendedAt: null } : a))
    : raw.accounts;
  // The defaults come first: a stray key of the same name in the old file is checked, not dropped.
  return { nextRequestSeq: 1, auditAnchor: null, requests: [], audit: [], subjectRequests: [], ...raw, version: FILE_VERSION, accounts };
}

export type StoredLicense = Omit<License, 'productSlug'>;
export type StoredIdempotency = FileData['idempotency'][number];
/** The table names, in the order they appear in the file. */
export const TABLES = [
  'accounts', 'tokens', 'products', 'policies', 'licenses', 'activations', 'ledger', 'idempotency', 'requests', 'audit', 'subjectRequests',
] as const;

// The schema and the domain types must describe the same records.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<FileData['accounts'][number], Account>, Same<FileData['tokens'][number], ApiToken>,
  Same<FileData['products'][number], Product>, Same<FileData['policies'][number], Policy>,
  Same<FileData['licenses'][number], StoredLicense>, Same<FileData['activations'][number], Activation>,
  Same<FileData['ledger'][number], LedgerEntry>, Same<FileData['requests'][number], RequestLogEntry>,
  Same<FileData['audit'][number], AuditEntry>, Same<NonNullable<FileData['auditAnchor']>, AuditAnchor>,
  Same<FileData['subjectRequests'][number], SubjectRequest>,
] = [true, true, true, true, true, true, true, true, true, true, true];
void agree;

/** The first problems of a failed check, as `path: message` lines. */
export function describeIssues(error: z.ZodError, max = 5): string {
  const lines = error.issues.slice(0, max).map((i) => `${i.path.map(String).join('.') || '(top)'}: ${i.message}`);
  if (error.issues.length > max) lines.push(`... and ${error.issues.length - max} more`);
  return lines.join('; ');
}
