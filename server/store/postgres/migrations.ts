import type { PoolClient } from 'pg';

/**
 * Schema migrations, applied in order and recorded in `batchkeys_schema`. Never edit a released
 * migration: append a new one. The schema mirrors the SQLite one: times are epoch milliseconds
 * (BIGINT), ids are TEXT in the "C" collation so that they sort bytewise, as ids and cursors
 * assume, whatever the database's locale. Metadata stays TEXT so that the JSON comes back exactly
 * as it was given (JSONB would reorder its keys).
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE accounts (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    operator BOOLEAN NOT NULL DEFAULT false,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE api_tokens (
    id TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
  );
  CREATE INDEX api_tokens_account ON api_tokens (account_id);
  CREATE TABLE products (
    id TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    key_prefix TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT products_account_slug UNIQUE (account_id, slug)
  );
  CREATE TABLE policies (
    id TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    product_id TEXT COLLATE "C" NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    duration_days INTEGER,
    lock TEXT NOT NULL CHECK (lock IN ('none', 'domain', 'device')),
    max_activations INTEGER,
    tokens BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX policies_account ON policies (account_id, product_id);
  CREATE TABLE licenses (
    id TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    product_id TEXT COLLATE "C" NOT NULL REFERENCES products(id),
    policy_id TEXT COLLATE "C" REFERENCES policies(id) ON DELETE SET NULL,
    key_digest TEXT NOT NULL,
    key_encrypted TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
    expires_at BIGINT,
    duration_days INTEGER,
    lock TEXT NOT NULL CHECK (lock IN ('none', 'domain', 'device')),
    max_activations INTEGER,
    activation_count INTEGER NOT NULL DEFAULT 0 CHECK (activation_count >= 0),
    tokens_remaining BIGINT CHECK (tokens_remaining >= 0),
    tokens_total BIGINT,
    email TEXT,
    name TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE UNIQUE INDEX licenses_key_digest ON licenses (key_digest);
  CREATE INDEX licenses_account ON licenses (account_id, id);
  CREATE INDEX licenses_product ON licenses (account_id, product_id, id);
  -- E-mail filters ignore case, as SQLite's COLLATE NOCASE does.
  CREATE INDEX licenses_email ON licenses (account_id, lower(email));
  CREATE TABLE activations (
    id TEXT COLLATE "C" PRIMARY KEY,
    license_id TEXT COLLATE "C" NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    domain TEXT,
    device TEXT,
    label TEXT,
    development BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    deactivated_at BIGINT
  );
  CREATE INDEX activations_license ON activations (license_id);
  CREATE UNIQUE INDEX activations_active_domain ON activations (license_id, domain)
    WHERE deactivated_at IS NULL AND domain IS NOT NULL;
  CREATE UNIQUE INDEX activations_active_device ON activations (license_id, device)
    WHERE deactivated_at IS NULL AND device IS NOT NULL;
  CREATE TABLE token_ledger (
    license_id TEXT COLLATE "C" NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    id TEXT COLLATE "C" NOT NULL,
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL,
    idempotency_key TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (license_id, id)
  );
  CREATE TABLE idempotency (
    license_id TEXT COLLATE "C" NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    amount BIGINT NOT NULL,
    status INTEGER NOT NULL,
    body BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (license_id, key)
  );
  CREATE INDEX idempotency_created ON idempotency (created_at);
  -- rate-limiter-flexible's own layout (RateLimiterPostgres), created here under the migration
  -- lock rather than by the limiter, whose CREATE TABLE IF NOT EXISTS races between processes.
  CREATE TABLE rate_limits (
    key VARCHAR(255) PRIMARY KEY,
    points INTEGER NOT NULL DEFAULT 0,
    expire BIGINT
  );
  `,
  `
  -- The privacy engine (issue 4): request log, hash-chained audit log, data-subject requests.
  ALTER TABLE accounts ADD COLUMN api_suspended_at BIGINT;
  -- seq comes from an identity sequence (BY DEFAULT, so that a restore can keep the dumped seqs).
  -- No foreign keys: a log row outlives the license it names, and inserts stay cheap. Lookups by
  -- IP, domain or device (erasure, breach reports) are rare and may scan.
  CREATE TABLE request_log (
    seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    account_id TEXT COLLATE "C",
    license_id TEXT COLLATE "C",
    action TEXT NOT NULL,
    code TEXT NOT NULL,
    status INTEGER NOT NULL,
    ip TEXT,
    -- Set once the purge has replaced the IP by its anonymised form (which may equal it).
    ip_anonymised BOOLEAN NOT NULL DEFAULT false,
    domain TEXT,
    device TEXT,
    tokens BIGINT,
    -- Whatever the caller measured, fractions included (SQLite keeps a REAL).
    latency_ms DOUBLE PRECISION NOT NULL
  );
  CREATE INDEX request_log_license ON request_log (license_id, seq);
  CREATE INDEX request_log_account ON request_log (account_id, seq);
  -- Retention purge and time-window queries (breach reports): without it, a purge that finds
  -- nothing old would read the whole log to be sure.
  CREATE INDEX request_log_at ON request_log (at);
  -- Only the rows whose IP still waits for anonymisation: each purge batch is an index probe.
  CREATE INDEX request_log_ip_pending ON request_log (at) WHERE ip IS NOT NULL AND NOT ip_anonymised;
  -- seq is the chain's position, assigned by appendAudit from the chain head under a lock, not
  -- by a sequence: a sequence would leave gaps on rollback.
  CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    account_id TEXT COLLATE "C",
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT COLLATE "C",
    ip TEXT,
    ip_salt TEXT,
    ip_commit TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE TABLE privacy_meta (
    key TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE subject_requests (
    id TEXT COLLATE "C" PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'export', 'rectify', 'erase')),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('email', 'ip', 'domain', 'device')),
    subject_digest TEXT NOT NULL,
    subject_encrypted TEXT,
    received_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    instruction TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'completed')),
    completed_at BIGINT,
    artefact TEXT,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX subject_requests_digest ON subject_requests (subject_digest);
  CREATE INDEX subject_requests_due ON subject_requests (account_id, due_at, id);
  -- Retention purge batches of deactivated activations and expired licenses.
  CREATE INDEX activations_deactivated ON activations (deactivated_at) WHERE deactivated_at IS NOT NULL;
  CREATE INDEX licenses_expires ON licenses (expires_at) WHERE expires_at IS NOT NULL;
  `,
  `
  -- The admin list sorted by expiry, a page at a time: licenses that never expire sort last
  -- (the sentinel is Number.MAX_SAFE_INTEGER, NEVER_EXPIRES in store.ts). Creation order is
  -- the id order, on licenses_account.
  CREATE INDEX licenses_account_expiry ON licenses (account_id, coalesce(expires_at, 9007199254740991), id);
  `,
  `
  -- Room in every page for the new versions of its rows. A consume or an activation rewrites
  -- a license row (balance, seat count) and a validation may touch an activation (last seen):
  -- none of those columns is indexed, so with free space in the page PostgreSQL makes the new
  -- version a heap-only tuple and leaves the table's indexes (seven on licenses) untouched.
  -- Pages written from now on keep the room; VACUUM FULL rewrites the older ones.
  ALTER TABLE licenses SET (fillfactor = 80);
  ALTER TABLE activations SET (fillfactor = 90);
  `,
];

/** Any constant shared by every BatchKeys process: it names the advisory lock. */
const MIGRATION_LOCK = 0x42_4b_4d_49; // "BKMI"

/**
 * Brings the schema up to date in one transaction. The advisory lock makes servers that start
 * together take turns: the first migrates, the others then find nothing left to do.
 */
export async function migrate(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS batchkeys_schema (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM batchkeys_schema');
    const current = rows[0]?.version ?? 0;
    if (current > migrations.length) {
      throw new Error(`the database schema (version ${current}) is newer than this BatchKeys (${migrations.length})`);
    }
    for (let v = current; v < migrations.length; v++) {
      await client.query(migrations[v] as string);
      await client.query('INSERT INTO batchkeys_schema (version) VALUES ($1)', [v + 1]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
