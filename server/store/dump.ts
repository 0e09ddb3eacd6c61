import { createHash } from 'node:crypto';
import type { Account, Activation, ApiToken, LedgerEntry, License, Policy, Product } from '../domain/types.js';
import type { AuditAnchor, AuditEntry, RequestLogEntry, SubjectRequest } from './privacy.js';

/** A stored answer kept for a repeated idempotency key; `body` is base64. */
export interface IdempotencyRecord {
  licenseId: string;
  key: string;
  amount: number;
  status: number;
  body: string;
  createdAt: number;
}

/**
 * One record of a store-independent dump, in dependency order: accounts, tokens, products,
 * policies, licenses, activations, ledger entries, idempotency answers, then the privacy
 * records (request log, audit chain and its anchor, data-subject requests). Migration, backup of
 * PostgreSQL and restore all speak this form.
 */
export type DumpRecord =
  | { kind: 'account'; value: Account }
  | { kind: 'token'; value: ApiToken }
  | { kind: 'product'; value: Product }
  | { kind: 'policy'; value: Policy }
  | { kind: 'license'; value: License }
  | { kind: 'activation'; value: Activation }
  | { kind: 'ledger'; value: LedgerEntry }
  | { kind: 'idempotency'; value: IdempotencyRecord }
  | { kind: 'request'; value: RequestLogEntry }
  | { kind: 'audit'; value: AuditEntry }
  | { kind: 'auditAnchor'; value: AuditAnchor }
  | { kind: 'subjectRequest'; value: SubjectRequest };

export type DumpKind = DumpRecord['kind'];
export const DUMP_KINDS: readonly DumpKind[] = [
  'account', 'token', 'product', 'policy', 'license', 'activation', 'ledger', 'idempotency',
  'request', 'audit', 'auditAnchor', 'subjectRequest',
];

/** What a store offers for migration, backup and restore. */
export interface Dumpable {
  /** Every record, as one consistent snapshot, each kind in id order. */
  dump(): AsyncIterable<DumpRecord>;
  /** Record counts by kind, for progress reporting. */
  counts(): Promise<Record<DumpKind, number>>;
  /** Loads a dump into this store, which must be empty; all or nothing. */
  restore(records: AsyncIterable<DumpRecord>, onRecord?: (n: number) => void): Promise<number>;
}

/** JSON with sorted keys, so that equal records from different stores hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface DumpSummary {
  counts: Record<DumpKind, number>;
  /**
   * Per kind, the sum modulo 2^256 of each record's SHA-256 (of its canonical JSON): it does not
   * depend on the order in which a store lists records, and any changed, lost or added record
   * changes it.
   */
  digests: Record<DumpKind, string>;
}

const MOD = 1n << 256n;

/** Counts and digests a whole dump: two stores holding the same data give the same summary. */
export async function summarize(records: AsyncIterable<DumpRecord>): Promise<DumpSummary> {
  const sums = Object.fromEntries(DUMP_KINDS.map((k) => [k, 0n])) as Record<DumpKind, bigint>;
  const counts = Object.fromEntries(DUMP_KINDS.map((k) => [k, 0])) as Record<DumpKind, number>;
  for await (const r of records) {
    counts[r.kind]++;
    const h = createHash('sha256').update(canonicalJson(r.value)).digest('hex');
    sums[r.kind] = (sums[r.kind] + BigInt(`0x${h}`)) % MOD;
  }
  const digests = Object.fromEntries(DUMP_KINDS.map((k) => [k, sums[k].toString(16).padStart(64, '0')])) as Record<DumpKind, string>;
  return { counts, digests };
}

export function isDumpable(store: unknown): store is Dumpable {
  const s = store as Partial<Dumpable>;
  return typeof s.dump === 'function' && typeof s.restore === 'function' && typeof s.counts === 'function';
}
