import { z } from 'zod';
import type { Account, Activation, ApiToken, LedgerEntry, License, Policy, Product } from '../../domain/types.js';

/**
 * The shape of the JSON store's file. It is meant to be read (and, carefully, edited) by people,
 * so every record is checked at open and unknown fields are refused rather than silently dropped
 * on the next write. Times are epoch milliseconds, as everywhere in the store.
 */
export const FILE_VERSION = 1;

const id = z.string().min(1);
const time = z.number().int().nonnegative();
const count = z.number().int().nonnegative();
const lock = z.enum(['none', 'domain', 'device']);
const metadata = z.record(z.string(), z.unknown());

const account = z.strictObject({
  id, name: z.string(), status: z.enum(['active', 'suspended']), operator: z.boolean(), createdAt: time, updatedAt: time,
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

export const fileSchema = z.strictObject({
  version: z.literal(FILE_VERSION),
  accounts: z.array(account),
  tokens: z.array(token),
  products: z.array(product),
  policies: z.array(policy),
  licenses: z.array(storedLicense),
  activations: z.array(activation),
  ledger: z.array(ledger),
  idempotency: z.array(idempotency),
});

export type FileData = z.infer<typeof fileSchema>;
type TableName = (typeof TABLES)[number];

const records = { accounts: account, tokens: token, products: product, policies: policy, licenses: storedLicense, activations: activation, ledger, idempotency };

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
export type StoredLicense = Omit<License, 'productSlug'>;
export type StoredIdempotency = FileData['idempotency'][number];
/** The table names, in the order they appear in the file. */
export const TABLES = ['accounts', 'tokens', 'products', 'policies', 'licenses', 'activations', 'ledger', 'idempotency'] as const;

// The schema and the domain types must describe the same records.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<FileData['accounts'][number], Account>, Same<FileData['tokens'][number], ApiToken>,
  Same<FileData['products'][number], Product>, Same<FileData['policies'][number], Policy>,
  Same<FileData['licenses'][number], StoredLicense>, Same<FileData['activations'][number], Activation>,
  Same<FileData['ledger'][number], LedgerEntry>,
] = [true, true, true, true, true, true, true];
void agree;

/** The first problems of a failed check, as `path: message` lines. */
export function describeIssues(error: z.ZodError, max = 5): string {
  const lines = error.issues.slice(0, max).map((i) => `${i.path.map(String).join('.') || '(top)'}: ${i.message}`);
  if (error.issues.length > max) lines.push(`... and ${error.issues.length - max} more`);
  return lines.join('; ');
}
