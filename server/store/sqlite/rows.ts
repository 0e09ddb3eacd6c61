import type { AccountStatus, License, LicenseState } from '../../domain/types.js';
import type { Row } from '../sql/rows.js';

/** SQLite's own row shapes; the mappers shared with PostgreSQL are in ../sql/rows.ts. */

/** A state row read in raw (positional) mode, in the column order of STATE_SELECT: the hot path. */
export function toStateRow(r: unknown[]): LicenseState {
  return {
    id: r[0] as string, accountId: r[1] as string, productId: r[2] as string, productSlug: r[3] as string,
    status: r[4] as License['status'], expiresAt: r[5] as number | null, lock: r[6] as License['lock'],
    maxActivations: r[7] as number | null, activationCount: r[8] as number, tokensRemaining: r[9] as number | null,
    tokensTotal: r[10] as number | null, accountStatus: r[11] as AccountStatus,
  };
}

/** Named parameters for the license INSERT and UPDATE statements. */
export function licenseParams(l: License): Row {
  return {
    id: l.id, account_id: l.accountId, product_id: l.productId, policy_id: l.policyId, key_digest: l.keyDigest,
    key_encrypted: l.keyEncrypted, status: l.status, expires_at: l.expiresAt, duration_days: l.durationDays,
    lock: l.lock, max_activations: l.maxActivations, activation_count: l.activationCount,
    tokens_remaining: l.tokensRemaining, tokens_total: l.tokensTotal, email: l.email, name: l.name,
    metadata: JSON.stringify(l.metadata), created_at: l.createdAt, updated_at: l.updatedAt,
  };
}
