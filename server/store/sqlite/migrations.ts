import { identitySql, licenseActivationsSql } from './identity.js';
import { stateRowSql, stateSlotSql } from './state-slot.js';

/**
 * A migration's SQL, or, for one that rebuilds a table other tables reference, its SQL with
 * `foreignKeys: false`: it then runs with foreign-key enforcement off (dropping the old table
 * must not cascade), and the keys are checked before it commits.
 */
export type Migration = string | { readonly sql: string; readonly foreignKeys: false };

/**
 * Schema migrations, applied in order and recorded in SQLite's `user_version`. Never edit a
 * released migration: append a new one. Times are epoch milliseconds.
 */
export const migrations: readonly Migration[] = [
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    operator INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX api_tokens_account ON api_tokens (account_id);
  CREATE TABLE products (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    key_prefix TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (account_id, slug)
  );
  CREATE TABLE policies (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    duration_days INTEGER,
    lock TEXT NOT NULL CHECK (lock IN ('none', 'domain', 'device')),
    max_activations INTEGER,
    tokens INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX policies_account ON policies (account_id, product_id);
  CREATE TABLE licenses (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    product_id TEXT NOT NULL REFERENCES products(id),
    policy_id TEXT REFERENCES policies(id) ON DELETE SET NULL,
    key_digest TEXT NOT NULL UNIQUE,
    key_encrypted TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
    expires_at INTEGER,
    duration_days INTEGER,
    lock TEXT NOT NULL CHECK (lock IN ('none', 'domain', 'device')),
    max_activations INTEGER,
    activation_count INTEGER NOT NULL DEFAULT 0 CHECK (activation_count >= 0),
    tokens_remaining INTEGER CHECK (tokens_remaining >= 0),
    tokens_total INTEGER,
    email TEXT,
    name TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX licenses_account ON licenses (account_id, id);
  CREATE INDEX licenses_product ON licenses (account_id, product_id, id);
  CREATE INDEX licenses_email ON licenses (account_id, email);
  CREATE TABLE activations (
    id TEXT PRIMARY KEY,
    license_id TEXT NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    domain TEXT,
    device TEXT,
    label TEXT,
    development INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    deactivated_at INTEGER
  );
  -- One index serves every activation lookup (a license's activations; its activation for a
  -- domain, or with domain NULL for a device): an activation costs one random index insert.
  -- That an identifier is active at most once per license is checked inside the write
  -- transaction, which SQLite runs one at a time (PostgreSQL, shared by several processes,
  -- has partial unique indexes for it instead).
  CREATE INDEX activations_identity ON activations (license_id, domain, device);
  -- Clustered by license: an entry is one B-tree insert, and a license's history is one range.
  CREATE TABLE token_ledger (
    license_id TEXT NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL,
    idempotency_key TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (license_id, id)
  ) WITHOUT ROWID;
  CREATE TABLE idempotency (
    license_id TEXT NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    amount INTEGER NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (license_id, key)
  );
  CREATE INDEX idempotency_created ON idempotency (created_at);
  `,
  `
  -- The privacy engine: audit chain, data-subject requests, API shutdown of an account.
  ALTER TABLE accounts ADD COLUMN api_suspended_at INTEGER;
  -- The request log has a file of its own: see request-log-file.ts.
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    account_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    ip TEXT,
    ip_salt TEXT,
    ip_commit TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE TABLE privacy_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE subject_requests (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_digest TEXT NOT NULL,
    subject_encrypted TEXT,
    received_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    instruction TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'completed')),
    completed_at INTEGER,
    artefact TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX subject_requests_digest ON subject_requests (subject_digest);
  CREATE INDEX subject_requests_due ON subject_requests (account_id, status, due_at);
  `,
  `
  -- The admin list sorted by expiry, a page at a time: licenses that never expire sort last
  -- (the sentinel is Number.MAX_SAFE_INTEGER, NEVER_EXPIRES in store.ts). Creation order is
  -- the id order, on licenses_account.
  CREATE INDEX licenses_account_expiry ON licenses (account_id, coalesce(expires_at, 9007199254740991), id);
  `,
  {
    foreignKeys: false,
    sql: `
  -- A license's state, the only part of it the license API reads and changes, gets a narrow
  -- table of its own, clustered by key digest: a validation is one B-tree descent (it was two:
  -- the digest index, then the row), and a consume or a seat changes one small row on the page
  -- that descent read. The rest of the license (key material, licensee, metadata) stays in
  -- licenses, which the admin API and the privacy tools read. Each column lives in exactly
  -- one of the two tables; licenses.key_digest joins them, and license_state.license_id leads
  -- back (the expiry order of the admin list runs on license_state).
  CREATE TABLE license_state (
    key_digest TEXT PRIMARY KEY,
    license_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
    expires_at INTEGER,
    lock TEXT NOT NULL CHECK (lock IN ('none', 'domain', 'device')),
    max_activations INTEGER,
    activation_count INTEGER NOT NULL DEFAULT 0 CHECK (activation_count >= 0),
    tokens_remaining INTEGER CHECK (tokens_remaining >= 0),
    tokens_total INTEGER,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO license_state SELECT key_digest, id, account_id, product_id, status, expires_at, lock, max_activations,
    activation_count, tokens_remaining, tokens_total, updated_at FROM licenses ORDER BY key_digest;
  CREATE TABLE licenses_v4 (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    product_id TEXT NOT NULL REFERENCES products(id),
    policy_id TEXT REFERENCES policies(id) ON DELETE SET NULL,
    -- Unique as license_state's key: no index of its own.
    key_digest TEXT NOT NULL,
    key_encrypted TEXT NOT NULL,
    duration_days INTEGER,
    email TEXT,
    name TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
  );
  INSERT INTO licenses_v4 SELECT id, account_id, product_id, policy_id, key_digest, key_encrypted, duration_days, email,
    name, metadata, created_at FROM licenses ORDER BY rowid;
  DROP TABLE licenses;
  ALTER TABLE licenses_v4 RENAME TO licenses;
  CREATE INDEX licenses_account ON licenses (account_id, id);
  CREATE INDEX licenses_product ON licenses (account_id, product_id, id);
  -- The admin list's email filter compares without case: an index in binary order (as before)
  -- could not serve it. With the id last, it gives the order too.
  CREATE INDEX licenses_email ON licenses (account_id, email COLLATE NOCASE, id);
  -- The admin list sorted by expiry (as licenses_account_expiry did before).
  CREATE INDEX license_state_expiry ON license_state (account_id, coalesce(expires_at, 9007199254740991), license_id);
  -- Activations lose their foreign key: checking it cost every activation a descent of the
  -- licenses' id index (about 4 us of the event loop), for a license the same transaction has
  -- just read. The trigger below deletes them with their license instead.
  CREATE TABLE activations_v4 (
    id TEXT PRIMARY KEY,
    license_id TEXT NOT NULL,
    domain TEXT,
    device TEXT,
    label TEXT,
    development INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    deactivated_at INTEGER
  );
  INSERT INTO activations_v4 SELECT id, license_id, domain, device, label, development, created_at, last_seen_at,
    deactivated_at FROM activations ORDER BY rowid;
  DROP TABLE activations;
  ALTER TABLE activations_v4 RENAME TO activations;
  CREATE INDEX activations_identity ON activations (license_id, domain, device);
  -- A license's state and activations go with it, however it is deleted (by the admin API, an
  -- erasure, a purge, or its account's deletion).
  CREATE TRIGGER licenses_delete_state AFTER DELETE ON licenses BEGIN
    DELETE FROM license_state WHERE key_digest = OLD.key_digest;
    DELETE FROM activations WHERE license_id = OLD.id;
  END;
  `,
  },
  `
  -- Consumes append their ledger entries here, in arrival order: one shared page for many
  -- entries, where token_ledger (clustered by license) takes a random page each. The store files
  -- them into token_ledger in sorted batches (see fileLedger in index.ts), where a busy
  -- license's entries share their page writes. No foreign key: an entry whose license has gone
  -- meanwhile is dropped when filed, and ledger_entries never shows it.
  CREATE TABLE ledger_tail (
    seq INTEGER PRIMARY KEY,
    license_id TEXT NOT NULL,
    id TEXT NOT NULL,
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL,
    idempotency_key TEXT,
    created_at INTEGER NOT NULL
  );
  -- The whole ledger, filed or not: what every read of it goes through.
  CREATE VIEW ledger_entries AS
    SELECT license_id, id, delta, reason, idempotency_key, created_at FROM token_ledger
    UNION ALL
    SELECT t.license_id, t.id, t.delta, t.reason, t.idempotency_key, t.created_at FROM ledger_tail t
      WHERE EXISTS (SELECT 1 FROM licenses l WHERE l.id = t.license_id);
  `,
  `
  -- The retention purge finds deactivated activations through this index; without it each
  -- purge pass read the whole table on the event loop. Activations that are in use (the many)
  -- are not in it, so an activation costs no extra page write.
  CREATE INDEX activations_deactivated ON activations (deactivated_at) WHERE deactivated_at IS NOT NULL;
  `,
  `
  -- One small integer per activation in the identity index instead of (license_id, domain,
  -- device): see identity.ts. bk_activation_target is the store's JS function (targetHash).
  ALTER TABLE activations ADD COLUMN identity INTEGER NOT NULL DEFAULT 0;
  UPDATE activations SET identity = ${identitySql('license_id', 'bk_activation_target(domain, device)')};
  DROP INDEX activations_identity;
  CREATE INDEX activations_identity ON activations (identity);
  DROP TRIGGER licenses_delete_state;
  CREATE TRIGGER licenses_delete_state AFTER DELETE ON licenses BEGIN
    DELETE FROM license_state WHERE key_digest = OLD.key_digest;
    DELETE FROM activations WHERE ${licenseActivationsSql('OLD.id')};
  END;
  `,
  `
  -- license_state becomes a rowid table whose rowid, slot, comes from the key digest (see
  -- state-slot.ts): a lookup descends three levels of integers instead of five of whole rows.
  -- Digests that share a slot take the next ones, in digest order. (Should such a run ever meet
  -- the slot of another digest, the copy stops on its primary key and the migration leaves the
  -- database as it was; with 1M licenses the odds are below 1 in 10^10.)
  DROP TRIGGER licenses_delete_state;
  CREATE TABLE license_state_v8 (
    slot INTEGER PRIMARY KEY,
    key_digest TEXT NOT NULL,
    license_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
    expires_at INTEGER,
    lock TEXT NOT NULL CHECK (lock IN ('none', 'domain', 'device')),
    max_activations INTEGER,
    activation_count INTEGER NOT NULL DEFAULT 0 CHECK (activation_count >= 0),
    tokens_remaining INTEGER CHECK (tokens_remaining >= 0),
    tokens_total INTEGER,
    updated_at INTEGER NOT NULL
  );
  INSERT INTO license_state_v8
    SELECT h + row_number() OVER (PARTITION BY h ORDER BY key_digest) - 1, key_digest, license_id, account_id,
      product_id, status, expires_at, lock, max_activations, activation_count, tokens_remaining, tokens_total, updated_at
    FROM (SELECT ${stateSlotSql('key_digest')} AS h, * FROM license_state)
    ORDER BY 1;
  DROP TABLE license_state;
  ALTER TABLE license_state_v8 RENAME TO license_state;
  CREATE INDEX license_state_expiry ON license_state (account_id, coalesce(expires_at, 9007199254740991), license_id);
  CREATE TRIGGER licenses_delete_state AFTER DELETE ON licenses BEGIN
    DELETE FROM license_state WHERE ${stateRowSql(stateSlotSql('OLD.key_digest'), 'OLD.key_digest')};
    DELETE FROM activations WHERE ${licenseActivationsSql('OLD.id')};
  END;
  `,
];
