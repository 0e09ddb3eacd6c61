import pg from 'pg';
import type { PoolClient, QueryConfig } from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { consumeRefusal } from '../../domain/validation.js';
import type { Account, AccountStatus, Activation, ApiToken, License, LicenseState, Policy, Product } from '../../domain/types.js';
import {
  applyPatch, priorFromRow, replayOf, StoreConflict,
  type ActivateInput, type ActivateOutcome, type ActivationIdentity, type ConsumeInput, type ConsumeOutcome,
  type DeactivateOutcome, type LicenseChange, type LicenseQuery, licenseCursor, licensePosition, NEVER_EXPIRES, type PolicyPatch, type ProductPatch, type Store,
  type StoredResponse,
} from '../store.js';
import type { Dumpable, DumpKind, DumpRecord } from '../dump.js';
import {
  AUDIT_GENESIS,
  type AuditAnchor, type AuditEntry, type AuditQuery, type ErasureCounts, type NewAuditEntry, type NewRequestLogEntry,
  type PurgeCounts, type PurgeCutoffs, type RequestAction, type RequestLogEntry, type RequestLogQuery, type Subject,
  type SubjectKind, type SubjectRecords, type SubjectRequest, type SubjectRequestQuery,
} from '../privacy.js';
import { countPostgres, dumpPostgres, REQUEST_TYPES, restorePostgres } from './dump.js';
import { migrate } from './migrations.js';
import {
  AUDIT_ANCHOR_KEY, AUDIT_COLUMNS, LICENSE_COLUMNS, LICENSE_FROM, LICENSE_INSERT_COLUMNS, LICENSE_INSERT_TYPES, REQUEST_COLUMNS,
  STATE_SELECT, SUBJECT_REQUEST_COLUMNS, auditValues, licenseValues, requestValues, subjectRequestValues,
  toAccount, toActivation, toAnchor, toAudit, toLedger, toLicense, toPolicy, toProduct, toRequest, toState,
  toSubjectRequest, toToken, type Row,
} from '../sql/rows.js';

export interface PostgresStoreOptions {
  /** Most connections this process opens (default 10). */
  max?: number;
  /** Told about errors of idle connections; the pool replaces them by itself. */
  onError?: (message: string) => void;
}

/** Rows per INSERT statement in imports: large enough to amortise round trips, small enough to stream. */
const IMPORT_BATCH = 1000;
/** serialization_failure and deadlock_detected: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 3;

const pgCode = (err: unknown): string | undefined => (err as { code?: string } | null)?.code;

/** A unique violation on the constraints the Store contract names becomes a StoreConflict. */
function conflictOf(err: unknown): unknown {
  if (pgCode(err) !== '23505') return err;
  const constraint = (err as { constraint?: string }).constraint;
  if (constraint === 'products_account_slug') return new StoreConflict('slug');
  if (constraint === 'licenses_key_digest') return new StoreConflict('key');
  if (constraint === 'activations_active_domain' || constraint === 'activations_active_device') return new StoreConflict('activation');
  return err;
}

/**
 * Hot statements are named, so that each pooled connection parses and plans them once. The
 * names are prefixed: rate-limiter-flexible names its own statements on the same connections.
 */
const named = (name: string, text: string) => (values: unknown[]): QueryConfig => ({ name: `bk_${name}`, text, values });
const SQL = {
  state: named('state', `${STATE_SELECT.replace('SELECT ', 'SELECT l.key_digest, ')} WHERE l.key_digest = $1`),
  states: named('states', `${STATE_SELECT.replace('SELECT ', 'SELECT l.key_digest, ')} WHERE l.key_digest = ANY($1::text[])`),
  // Locks the license row: every change to one license's seats or balance takes turns on it,
  // whichever process it runs in, and decides on the state it will write over.
  stateForUpdate: named('state_for_update', `${STATE_SELECT} WHERE l.key_digest = $1 FOR UPDATE OF l`),
  licenseForUpdate: named('license_for_update',
    `SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} WHERE l.account_id = $1 AND l.id = $2 FOR UPDATE OF l`),
  licenseByAccount: named('license_by_account', `SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} WHERE l.account_id = $1 AND l.id = $2`),
  insertLicenses: named('insert_licenses', `INSERT INTO licenses (${LICENSE_INSERT_COLUMNS.join(', ')})
    SELECT * FROM unnest(${LICENSE_INSERT_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`),
  insertGrants: named('insert_grants', `INSERT INTO token_ledger (id, license_id, delta, reason, created_at)
    SELECT lid || '_grant', lid, delta, 'grant', at FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS g(lid, delta, at)`),
  updateLicense: named('update_license', `UPDATE licenses SET policy_id = $3, status = $4, expires_at = $5,
    duration_days = $6, lock = $7, max_activations = $8, tokens_remaining = $9, tokens_total = $10, email = $11,
    name = $12, metadata = $13, updated_at = $14 WHERE id = $1 AND account_id = $2`),
  insertLedger: named('insert_ledger', `INSERT INTO token_ledger (id, license_id, delta, reason, idempotency_key, created_at)
    VALUES ($1, $2, $3, $4, $5, $6)`),
  activeByDomain: named('active_by_domain', `SELECT * FROM activations WHERE license_id = $1 AND domain = $2 AND deactivated_at IS NULL`),
  activeByDevice: named('active_by_device', `SELECT * FROM activations WHERE license_id = $1 AND device = $2 AND deactivated_at IS NULL`),
  // Conditional even under the row lock: the limit holds by the database's own arithmetic.
  takeSeat: named('take_seat', `UPDATE licenses SET activation_count = activation_count + 1
    WHERE id = $1 AND (max_activations IS NULL OR activation_count < max_activations) RETURNING activation_count`),
  freeSeat: named('free_seat', `UPDATE licenses SET activation_count = activation_count - 1 WHERE id = $1 AND activation_count > 0`),
  insertActivation: named('insert_activation', `INSERT INTO activations (id, license_id, domain, device, label, development,
    created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`),
  deactivate: named('deactivate', `UPDATE activations SET deactivated_at = $1 WHERE id = $2 AND deactivated_at IS NULL`),
  // The consumes without an idempotency key that arrive together, in one statement (one round
  // trip and one commit for the lot; each consume stays all-or-nothing): the UPDATE re-checks
  // status, expiry and balance on the row it locks, and a ledger entry is written only for the
  // consumes that took their tokens. The rows are locked in id order first, so that two batches
  // (from this process or another) never wait on each other crosswise. The digests of one call
  // must be distinct (an UPDATE changes a row once). $1 digests, $2 amounts, $3 times, $4 ledger ids.
  consumeBatch: named('consume_batch', `WITH i AS (
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) AS i(digest, amount, at, ledger_id)),
    s AS (SELECT i.digest AS in_digest, i.amount AS in_amount, i.at AS in_at, i.ledger_id AS in_ledger, st.*
      FROM i CROSS JOIN LATERAL (${STATE_SELECT} WHERE l.key_digest = i.digest) st),
    k AS (SELECT l.id FROM licenses l WHERE l.id IN (SELECT id FROM s) ORDER BY l.id FOR UPDATE OF l),
    u AS (UPDATE licenses l SET tokens_remaining = l.tokens_remaining - s.in_amount, updated_at = s.in_at
      FROM s JOIN k ON k.id = s.id
      WHERE l.id = s.id AND s.account_status = 'active' AND l.status = 'active'
        AND (l.expires_at IS NULL OR l.expires_at > s.in_at) AND l.tokens_remaining >= s.in_amount
      RETURNING l.id, l.tokens_remaining),
    g AS (INSERT INTO token_ledger (id, license_id, delta, reason, idempotency_key, created_at)
      SELECT s.in_ledger, s.id, -s.in_amount, 'consume', NULL, s.in_at FROM s JOIN u ON u.id = s.id RETURNING 1)
    SELECT s.*, u.tokens_remaining AS new_remaining FROM s LEFT JOIN u ON u.id = s.id`),
  idempotencyGet: named('idempotency_get', `SELECT amount, status, body, created_at FROM idempotency WHERE license_id = $1 AND key = $2`),
  // Replaces an entry older than the window, as SQLite's INSERT OR REPLACE does.
  idempotencyPut: named('idempotency_put', `INSERT INTO idempotency (license_id, key, amount, status, body, created_at)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (license_id, key) DO UPDATE SET amount = EXCLUDED.amount,
    status = EXCLUDED.status, body = EXCLUDED.body, created_at = EXCLUDED.created_at`),
  consumeTokens: named('consume_tokens', `UPDATE licenses SET tokens_remaining = tokens_remaining - $1, updated_at = $2
    WHERE id = $3 AND tokens_remaining >= $1 RETURNING tokens_remaining`),
  tokenByHash: named('token_by_hash', `SELECT * FROM api_tokens WHERE hash = $1`),
  touchToken: named('touch_token', `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`),
  // A whole batch of the request log in one statement: one column per parameter.
  insertRequests: named('insert_requests', `INSERT INTO request_log (${REQUEST_COLUMNS.slice(1).join(', ')})
    SELECT * FROM unnest(${REQUEST_TYPES.slice(1).map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`),
  insertAudit: named('insert_audit', `INSERT INTO audit_log (${AUDIT_COLUMNS.join(', ')})
    VALUES (${AUDIT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`),
  auditHead: named('audit_head', `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`),
  auditAnchor: named('audit_anchor', `SELECT value FROM privacy_meta WHERE key = $1`),
};

/** Advisory-lock key of the audit chain's head (an arbitrary constant: 'BKAUDIT'). */
const AUDIT_LOCK = 0x424b4155444954n.toString();

/**
 * The tables an erasure of each kind of subject deletes from or rewrites: VACUUMed afterwards,
 * so that the erased rows' dead versions are pruned now rather than whenever autovacuum comes.
 */
const ERASED_TABLES: Record<SubjectKind, readonly string[]> = {
  email: ['licenses', 'activations', 'token_ledger', 'idempotency', 'request_log', 'subject_requests'],
  ip: ['request_log', 'audit_log', 'subject_requests'],
  domain: ['activations', 'request_log', 'subject_requests'],
  device: ['activations', 'request_log', 'subject_requests'],
};

/** A statement's WHERE clause from its conditions (none: every row). */
const whereOf = (conditions: readonly string[]): string => (conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '');

/** The store for several servers: one PostgreSQL database, a connection pool, one transaction per change. */
/** Advisory-lock key for `serialized` sections (an arbitrary constant: 'BKSERIAL'). */
const SERIALIZED_LOCK = 0x424b53455249414cn.toString();

/**
 * Emails are matched in full Unicode lower case, as the other stores do. PostgreSQL's lower()
 * folds only ASCII under the C locale, so SQL picks the candidates (an ASCII-insensitive match,
 * or any address with a non-ASCII character) and JavaScript decides.
 */
const EMAIL_CANDIDATE = (column: string) => `(lower(${column}) = lower($1) OR ${column} !~ '^[ -~]*$')`;
const sameEmail = (stored: unknown, wanted: string) => typeof stored === 'string' && stored.toLowerCase() === wanted.toLowerCase();

export class PostgresStore implements Store, Dumpable {
  readonly kind = 'postgres' as const;
  private closed = false;

  private constructor(readonly pool: pg.Pool) {}

  /** Connects, brings the schema up to date and returns the store. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, application_name: 'batchkeys' });
    // Without a listener, an idle connection dropped by the server would crash the process.
    pool.on('error', (err) => options.onError?.(err.message));
    try {
      const client = await pool.connect();
      try {
        await migrate(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * Runs `fn` in one transaction on one pooled connection: COMMIT when it returns, ROLLBACK when
   * it throws; a deadlock or serialization failure runs it again. The callbacks it calls
   * (plan, render, change, choose) are pure, so running them twice is harmless.
   */
  private async tx<T>(fn: (c: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A connection that cannot even roll back is closed rather than returned to the pool.
        await client.query('ROLLBACK').catch((e: unknown) => { broken = e as Error; });
        if (attempt < ATTEMPTS && RETRYABLE.has(pgCode(err) ?? '')) continue;
        throw conflictOf(err);
      } finally {
        client.release(broken);
      }
    }
  }

  /** A session-level advisory lock, held on one connection for the length of `fn`. */
  async serialized<T>(fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [SERIALIZED_LOCK]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [SERIALIZED_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  private async rows(query: string | QueryConfig, values: unknown[] = []): Promise<Row[]> {
    return (typeof query === 'string' ? await this.pool.query<Row>(query, values) : await this.pool.query<Row>(query)).rows;
  }

  private async changed(text: string, values: unknown[]): Promise<number> {
    return (await this.pool.query(text, values)).rowCount ?? 0;
  }

  // Accounts and tokens ------------------------------------------------------------------

  async createAccount(a: Account): Promise<void> {
    await this.pool.query(`INSERT INTO accounts (id, name, status, operator, api_suspended_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)`, [a.id, a.name, a.status, a.operator, a.apiSuspendedAt, a.createdAt, a.updatedAt]);
  }
  async getAccount(id: string): Promise<Account | null> {
    const [r] = await this.rows(`SELECT * FROM accounts WHERE id = $1`, [id]);
    return r ? toAccount(r) : null;
  }
  async listAccounts(): Promise<Account[]> {
    return (await this.rows(`SELECT * FROM accounts ORDER BY id`)).map(toAccount);
  }
  async setAccountStatus(id: string, status: AccountStatus, now: number): Promise<Account | null> {
    const [r] = await this.rows(`UPDATE accounts SET status = $1, updated_at = $2 WHERE id = $3 RETURNING *`, [status, now, id]);
    return r ? toAccount(r) : null;
  }

  async createToken(t: ApiToken): Promise<void> {
    await this.pool.query(`INSERT INTO api_tokens (id, account_id, name, scopes, hash, created_at, last_used_at, revoked_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [t.id, t.accountId, t.name, JSON.stringify(t.scopes), t.hash, t.createdAt, t.lastUsedAt, t.revokedAt]);
  }
  async findTokenByHash(hash: string): Promise<ApiToken | null> {
    const [r] = await this.rows(SQL.tokenByHash([hash]));
    return r ? toToken(r) : null;
  }
  async listTokens(accountId: string): Promise<ApiToken[]> {
    return (await this.rows(`SELECT * FROM api_tokens WHERE account_id = $1 ORDER BY id`, [accountId])).map(toToken);
  }
  async revokeToken(accountId: string, id: string, now: number): Promise<boolean> {
    return (await this.changed(`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE account_id = $2 AND id = $3`,
      [now, accountId, id])) > 0;
  }
  async touchToken(id: string, now: number): Promise<void> {
    await this.pool.query(SQL.touchToken([now, id]));
  }

  // Products and policies ----------------------------------------------------------------

  async createProduct(pr: Product): Promise<void> {
    await this.tx(async (c) => {
      await c.query(`INSERT INTO products (id, account_id, name, slug, key_prefix, metadata, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [pr.id, pr.accountId, pr.name, pr.slug, pr.keyPrefix, JSON.stringify(pr.metadata), pr.createdAt, pr.updatedAt]);
    });
  }
  async getProduct(accountId: string, idOrSlug: string): Promise<Product | null> {
    // An id that happens to equal another product's slug wins, as ids are what links carry.
    const [r] = await this.rows(`SELECT * FROM products WHERE account_id = $1 AND (id = $2 OR slug = $2)
      ORDER BY id = $2 DESC LIMIT 1`, [accountId, idOrSlug]);
    return r ? toProduct(r) : null;
  }
  async listProducts(accountId: string): Promise<Product[]> {
    return (await this.rows(`SELECT * FROM products WHERE account_id = $1 ORDER BY id`, [accountId])).map(toProduct);
  }
  async updateProduct(accountId: string, id: string, patch: ProductPatch, now: number): Promise<Product | null> {
    return this.tx(async (c) => {
      const [r] = (await c.query<Row>(`SELECT * FROM products WHERE account_id = $1 AND id = $2 FOR UPDATE`, [accountId, id])).rows;
      if (!r) return null;
      const next = { ...applyPatch(toProduct(r), patch), updatedAt: now };
      await c.query(`UPDATE products SET name = $1, slug = $2, key_prefix = $3, metadata = $4, updated_at = $5 WHERE id = $6`,
        [next.name, next.slug, next.keyPrefix, JSON.stringify(next.metadata), now, id]);
      return next;
    });
  }
  async deleteProduct(accountId: string, id: string): Promise<'deleted' | 'not_found' | 'in_use'> {
    return this.tx(async (c) => {
      // The row lock makes a concurrent license insert for this product wait, then fail its foreign key.
      const found = await c.query(`SELECT 1 FROM products WHERE account_id = $1 AND id = $2 FOR UPDATE`, [accountId, id]);
      if (found.rowCount === 0) return 'not_found';
      const used = await c.query(`SELECT 1 FROM licenses WHERE product_id = $1 LIMIT 1`, [id]);
      if ((used.rowCount ?? 0) > 0) return 'in_use';
      await c.query(`DELETE FROM products WHERE id = $1`, [id]);
      return 'deleted';
    });
  }

  async createPolicy(po: Policy): Promise<void> {
    await this.pool.query(`INSERT INTO policies (id, account_id, product_id, name, duration_days, lock, max_activations, tokens,
      created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [po.id, po.accountId, po.productId, po.name, po.durationDays, po.lock, po.maxActivations, po.tokens, po.createdAt, po.updatedAt]);
  }
  async getPolicy(accountId: string, id: string): Promise<Policy | null> {
    const [r] = await this.rows(`SELECT * FROM policies WHERE account_id = $1 AND id = $2`, [accountId, id]);
    return r ? toPolicy(r) : null;
  }
  async listPolicies(accountId: string, productId?: string): Promise<Policy[]> {
    const rows = productId
      ? await this.rows(`SELECT * FROM policies WHERE account_id = $1 AND product_id = $2 ORDER BY id`, [accountId, productId])
      : await this.rows(`SELECT * FROM policies WHERE account_id = $1 ORDER BY id`, [accountId]);
    return rows.map(toPolicy);
  }
  async updatePolicy(accountId: string, id: string, patch: PolicyPatch, now: number): Promise<Policy | null> {
    return this.tx(async (c) => {
      const [r] = (await c.query<Row>(`SELECT * FROM policies WHERE account_id = $1 AND id = $2 FOR UPDATE`, [accountId, id])).rows;
      if (!r) return null;
      const n = { ...applyPatch(toPolicy(r), patch), updatedAt: now };
      await c.query(`UPDATE policies SET name = $1, duration_days = $2, lock = $3, max_activations = $4, tokens = $5,
        updated_at = $6 WHERE id = $7`, [n.name, n.durationDays, n.lock, n.maxActivations, n.tokens, now, id]);
      return n;
    });
  }
  async deletePolicy(accountId: string, id: string): Promise<boolean> {
    return (await this.changed(`DELETE FROM policies WHERE account_id = $1 AND id = $2`, [accountId, id])) > 0;
  }

  // Licenses ------------------------------------------------------------------------------

  /** Inserts licenses (and their grant entries) with one statement each, whole columns at a time. */
  private async insertLicenses(c: PoolClient, list: readonly License[]): Promise<void> {
    if (list.length === 0) return;
    const columns = LICENSE_INSERT_COLUMNS.map(() => [] as unknown[]);
    for (const l of list) licenseValues(l).forEach((v, i) => columns[i]!.push(v));
    await c.query(SQL.insertLicenses(columns));
    const granted = list.filter((l) => l.tokensTotal !== null && l.tokensTotal > 0);
    if (granted.length > 0) {
      await c.query(SQL.insertGrants([granted.map((l) => l.id), granted.map((l) => l.tokensTotal), granted.map((l) => l.createdAt)]));
    }
  }

  async createLicense(l: License): Promise<void> {
    await this.tx((c) => this.insertLicenses(c, [l]));
  }

  async importLicenses(rows: AsyncIterable<License>, onRow?: (count: number) => void): Promise<number> {
    // One transaction spans the whole (streamed) import, so a failure at row N leaves the store
    // exactly as it was. Not retried: the rows already read cannot be read again.
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let count = 0;
    let batch: License[] = [];
    const flush = async () => {
      await this.insertLicenses(client, batch);
      for (let i = 0; i < batch.length; i++) {
        count++;
        onRow?.(count);
      }
      batch = [];
    };
    try {
      await client.query('BEGIN');
      for await (const l of rows) {
        batch.push(l);
        if (batch.length >= IMPORT_BATCH) await flush();
      }
      await flush();
      await client.query('COMMIT');
      return count;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: unknown) => { broken = e as Error; });
      throw conflictOf(err);
    } finally {
      client.release(broken);
    }
  }

  private lookups = new Map<string, Array<(state: LicenseState | null, err?: unknown) => void>>();

  /**
   * Lookups that arrive in the same turn of the event loop go to the database as one query
   * (`key_digest = ANY($1)`): one round trip and one plan for many validations. Nothing is
   * cached: every lookup reads the database as it is now.
   */
  findLicenseByDigest(digest: string): Promise<LicenseState | null> {
    return new Promise((resolve, reject) => {
      if (this.lookups.size === 0) setImmediate(() => void this.runLookups());
      const waiting = this.lookups.get(digest);
      const settle = (state: LicenseState | null, err?: unknown) => (err === undefined ? resolve(state) : reject(err));
      if (waiting) waiting.push(settle);
      else this.lookups.set(digest, [settle]);
    });
  }

  private async runLookups(): Promise<void> {
    const batch = this.lookups;
    this.lookups = new Map();
    try {
      const found = new Map<string, LicenseState>();
      const rows = batch.size === 1
        ? await this.rows(SQL.state([...batch.keys()]))
        : await this.rows(SQL.states([[...batch.keys()]]));
      for (const r of rows) found.set(String(r.key_digest), toState(r));
      for (const [digest, settles] of batch) for (const settle of settles) settle(found.get(digest) ?? null);
    } catch (err) {
      for (const settles of batch.values()) for (const settle of settles) settle(null, err);
    }
  }

  async getLicense(accountId: string, id: string): Promise<License | null> {
    const [r] = await this.rows(SQL.licenseByAccount([accountId, id]));
    return r ? toLicense(r) : null;
  }

  async listLicenses(accountId: string, q: LicenseQuery): Promise<{ items: License[]; nextCursor: string | null }> {
    const values: unknown[] = [accountId];
    const $ = (v: unknown) => `$${values.push(v)}`;
    const where = ['l.account_id = $1'];
    const sort = q.sort ?? 'createdAt';
    const order = q.order ?? 'desc';
    const cmp = order === 'desc' ? '<' : '>';
    // The expiry key is the expression of the licenses_account_expiry index, word for word.
    const key = sort === 'expiresAt' ? `coalesce(l.expires_at, ${NEVER_EXPIRES})` : null;
    const at = licensePosition(q);
    if (at && key) {
      // (key, id) past (value, id), spelt as in SQLite: the key bounds the index range.
      const v = `${$(at.value)}::bigint`;
      where.push(`${key} ${cmp}= ${v} AND (${key} ${cmp} ${v} OR l.id ${cmp} ${$(at.id)})`);
    } else if (at) where.push(`l.id ${cmp} ${$(at.id)}`);
    if (q.productId) where.push(`l.product_id = ${$(q.productId)}`);
    if (q.email) where.push(`lower(l.email) = lower(${$(q.email)})`);
    if (q.status === 'expired') where.push(`l.status = 'active' AND l.expires_at IS NOT NULL AND l.expires_at <= ${$(q.now)}`);
    else if (q.status === 'active') where.push(`l.status = 'active' AND (l.expires_at IS NULL OR l.expires_at > ${$(q.now)})`);
    else if (q.status) where.push(`l.status = ${$(q.status)}`);
    if (q.q) {
      const like = $(`%${q.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
      where.push(`(l.id = ${$(q.q)} OR l.key_digest = ${$(q.qDigest ?? '')}
        OR l.email ILIKE ${like} ESCAPE '\\' OR l.name ILIKE ${like} ESCAPE '\\')`);
    }
    const rows = await this.rows(`SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} WHERE ${where.join(' AND ')}
      ORDER BY ${key ? `${key} ${order}, ` : ''}l.id ${order} LIMIT ${$(q.limit + 1)}`, values);
    const items = rows.slice(0, q.limit).map(toLicense);
    const last = items[items.length - 1];
    const nextCursor = rows.length > q.limit && last ? licenseCursor(sort, order, last) : null;
    return { items, nextCursor };
  }

  async *iterateLicenses(accountId: string | null, batchSize = 1000): AsyncIterable<License> {
    // Keyset pagination: each batch is one indexed range read, however far the export has got.
    let after = '';
    const text = `SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} WHERE l.id > $1 ${accountId ? 'AND l.account_id = $3' : ''}
      ORDER BY l.id LIMIT $2`;
    for (;;) {
      const rows = await this.rows(text, accountId ? [after, batchSize, accountId] : [after, batchSize]);
      if (rows.length === 0) return;
      for (const r of rows) yield toLicense(r);
      after = String(rows[rows.length - 1]!.id);
    }
  }

  async modifyLicense(accountId: string, id: string, change: (l: License) => LicenseChange): Promise<License | null> {
    return this.tx(async (c) => {
      const [r] = (await c.query<Row>(SQL.licenseForUpdate([accountId, id]))).rows;
      if (!r) return null;
      const { license: l, ledger } = change(toLicense(r));
      await c.query(SQL.updateLicense([id, accountId, l.policyId, l.status, l.expiresAt, l.durationDays, l.lock, l.maxActivations,
        l.tokensRemaining, l.tokensTotal, l.email, l.name, JSON.stringify(l.metadata), l.updatedAt]));
      if (ledger) await c.query(SQL.insertLedger([ledger.id, id, ledger.delta, ledger.reason, null, l.updatedAt]));
      return toLicense((await c.query<Row>(SQL.licenseByAccount([accountId, id]))).rows[0]!);
    });
  }

  async deleteLicense(accountId: string, id: string): Promise<boolean> {
    return (await this.changed(`DELETE FROM licenses WHERE account_id = $1 AND id = $2`, [accountId, id])) > 0;
  }

  // Activations ---------------------------------------------------------------------------

  private async activeActivation(c: PoolClient | pg.Pool, licenseId: string, by: ActivationIdentity): Promise<Activation | null> {
    const query = 'domain' in by ? SQL.activeByDomain([licenseId, by.domain]) : SQL.activeByDevice([licenseId, by.device]);
    const [r] = (await c.query<Row>(query)).rows;
    return r ? toActivation(r) : null;
  }

  private consumes: Array<{ input: ConsumeInput; resolve: (o: ConsumeOutcome) => void; reject: (err: unknown) => void }> = [];

  /**
   * A consume without an idempotency key: the ones that arrive in the same turn of the event
   * loop go to the database together (see SQL.consumeBatch), as validations do.
   */
  private consumeAtOnce(input: ConsumeInput): Promise<ConsumeOutcome> {
    return new Promise((resolve, reject) => {
      if (this.consumes.length === 0) setImmediate(() => void this.runConsumes());
      this.consumes.push({ input, resolve, reject });
    });
  }

  private async runConsumes(): Promise<void> {
    let queue = this.consumes;
    this.consumes = [];
    // One statement changes a row once: a key's second consume in the batch waits for the next round.
    while (queue.length > 0) {
      const round: typeof queue = [];
      const later: typeof queue = [];
      const seen = new Set<string>();
      for (const job of queue) {
        if (seen.has(job.input.digest)) later.push(job);
        else {
          seen.add(job.input.digest);
          round.push(job);
        }
      }
      await this.consumeRound(round);
      queue = later;
    }
  }

  private async consumeRound(round: typeof this.consumes): Promise<void> {
    let rows: Row[];
    try {
      rows = await this.rows(SQL.consumeBatch([
        round.map((j) => j.input.digest), round.map((j) => j.input.amount), round.map((j) => j.input.now),
        round.map((j) => j.input.ledgerId),
      ]));
    } catch (err) {
      for (const job of round) job.reject(err);
      return;
    }
    const found = new Map(rows.map((r) => [String(r.in_digest), r]));
    for (const { input, resolve, reject } of round) {
      const r = found.get(input.digest);
      if (!r) {
        resolve({ kind: 'not_found' });
        continue;
      }
      try {
        const license = toState(r);
        const response = r.new_remaining !== null
          ? input.render({ kind: 'ok', license: { ...license, tokensRemaining: Number(r.new_remaining) }, consumed: input.amount })
          : input.render({ kind: 'refused', code: consumeRefusal(license, input.now) ?? 'INSUFFICIENT_TOKENS', license });
        // Settled in this turn (the batch's statement has committed): an early look is worth giving.
        input.settled?.(response);
        resolve({ kind: 'answer', replayed: false, response });
      } catch (err) {
        reject(err);
      }
    }
  }

  private async lockedState(c: PoolClient, digest: string): Promise<LicenseState | null> {
    const [r] = (await c.query<Row>(SQL.stateForUpdate([digest]))).rows;
    return r ? toState(r) : null;
  }

  async findActivation(licenseId: string, by: ActivationIdentity): Promise<Activation | null> {
    return this.activeActivation(this.pool, licenseId, by);
  }

  async activate(input: ActivateInput): Promise<ActivateOutcome> {
    return this.tx(async (c): Promise<ActivateOutcome> => {
      const license = await this.lockedState(c, input.digest);
      if (!license) return { kind: 'not_found' };
      const plan = input.plan(license);
      const by: ActivationIdentity = plan.domain !== null ? { domain: plan.domain } : { device: plan.device ?? '' };
      const existing = await this.activeActivation(c, license.id, by);
      if (existing) return { kind: 'existing', activation: existing, license };
      if (!plan.development) {
        const [seat] = (await c.query<Row>(SQL.takeSeat([license.id]))).rows;
        if (!seat) return { kind: 'limit', license };
        license.activationCount = Number(seat.activation_count);
      }
      await c.query(SQL.insertActivation([input.id, license.id, plan.domain, plan.device, plan.label, plan.development, input.now]));
      const activation: Activation = {
        id: input.id, licenseId: license.id, domain: plan.domain, device: plan.device, label: plan.label,
        development: plan.development, createdAt: input.now, lastSeenAt: input.now, deactivatedAt: null,
      };
      return { kind: 'created', activation, license };
    });
  }

  private async deactivateRow(c: PoolClient, a: Activation, now: number): Promise<void> {
    await c.query(SQL.deactivate([now, a.id]));
    if (!a.development) await c.query(SQL.freeSeat([a.licenseId]));
  }

  async deactivate(digest: string, choose: (license: LicenseState) => ActivationIdentity, now: number): Promise<DeactivateOutcome> {
    return this.tx(async (c): Promise<DeactivateOutcome> => {
      const license = await this.lockedState(c, digest);
      if (!license) return { kind: 'not_found' };
      const a = await this.activeActivation(c, license.id, choose(license));
      if (!a) return { kind: 'not_active' };
      await this.deactivateRow(c, a, now);
      if (!a.development) license.activationCount = Math.max(0, license.activationCount - 1);
      return { kind: 'deactivated', activation: { ...a, deactivatedAt: now }, license };
    });
  }

  async deactivateById(accountId: string, activationId: string, now: number): Promise<boolean> {
    return this.tx(async (c) => {
      // The license row first, as every other change takes its locks: no deadlock with a reset.
      const locked = await c.query(`SELECT l.id FROM activations act JOIN licenses l ON l.id = act.license_id
        WHERE act.id = $1 AND l.account_id = $2 FOR UPDATE OF l`, [activationId, accountId]);
      if (locked.rowCount === 0) return false;
      const [r] = (await c.query<Row>(`SELECT * FROM activations WHERE id = $1 AND deactivated_at IS NULL`, [activationId])).rows;
      if (!r) return false;
      await this.deactivateRow(c, toActivation(r), now);
      return true;
    });
  }

  async resetActivations(accountId: string, licenseId: string, now: number): Promise<License | null> {
    return this.tx(async (c) => {
      if ((await c.query(SQL.licenseForUpdate([accountId, licenseId]))).rowCount === 0) return null;
      await c.query(`UPDATE activations SET deactivated_at = $1 WHERE license_id = $2 AND deactivated_at IS NULL`, [now, licenseId]);
      await c.query(`UPDATE licenses SET activation_count = 0, updated_at = $1 WHERE id = $2`, [now, licenseId]);
      return toLicense((await c.query<Row>(SQL.licenseByAccount([accountId, licenseId]))).rows[0]!);
    });
  }

  async listActivations(accountId: string, licenseId: string, includeInactive: boolean): Promise<Activation[] | null> {
    if ((await this.rows(`SELECT 1 FROM licenses WHERE account_id = $1 AND id = $2`, [accountId, licenseId])).length === 0) return null;
    const rows = await this.rows(`SELECT * FROM activations WHERE license_id = $1
      ${includeInactive ? '' : 'AND deactivated_at IS NULL'} ORDER BY id`, [licenseId]);
    return rows.map(toActivation);
  }

  async touchActivations(ids: readonly string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    // In id order, so that two overlapping batches lock their rows in the same order.
    await this.tx((c) => c.query(`UPDATE activations SET last_seen_at = greatest(last_seen_at, $1)
      WHERE id IN (SELECT id FROM activations WHERE id = ANY($2) ORDER BY id FOR UPDATE)`, [now, [...ids]]));
  }

  // Tokens --------------------------------------------------------------------------------

  async consume(input: ConsumeInput): Promise<ConsumeOutcome> {
    const { amount, idempotencyKey: idem, now } = input;
    if (idem === null) return this.consumeAtOnce(input);
    return this.tx(async (c): Promise<ConsumeOutcome> => {
      // With the license row locked, a duplicate idempotency key in flight (in this process or
      // another) waits here, then finds the first one's stored answer below.
      const license = await this.lockedState(c, input.digest);
      if (!license) return { kind: 'not_found' };
      if (idem !== null) {
        const replay = replayOf(priorFromRow((await c.query<Row>(SQL.idempotencyGet([license.id, idem]))).rows[0]), amount, now);
        if (replay) return replay;
      }
      const refused = consumeRefusal(license, now);
      let response: StoredResponse;
      if (refused) {
        response = input.render({ kind: 'refused', code: refused, license });
      } else {
        const [updated] = (await c.query<Row>(SQL.consumeTokens([amount, now, license.id]))).rows;
        if (!updated) {
          response = input.render({ kind: 'refused', code: 'INSUFFICIENT_TOKENS', license });
        } else {
          await c.query(SQL.insertLedger([input.ledgerId, license.id, -amount, 'consume', idem, now]));
          const after = { ...license, tokensRemaining: Number(updated.tokens_remaining) };
          response = input.render({ kind: 'ok', license: after, consumed: amount });
        }
      }
      if (idem !== null) await c.query(SQL.idempotencyPut([license.id, idem, amount, response.status, response.body, now]));
      return { kind: 'answer', replayed: false, response };
    });
  }

  async purgeIdempotency(before: number): Promise<number> {
    return this.changed(`DELETE FROM idempotency WHERE created_at < $1`, [before]);
  }

  // Request log -------------------------------------------------------------------------------

  async appendRequests(entries: readonly NewRequestLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const columns = REQUEST_TYPES.slice(1).map(() => [] as unknown[]);
    for (const e of entries) requestValues(e).forEach((v, i) => columns[i]!.push(v));
    await this.pool.query(SQL.insertRequests(columns));
  }

  async listRequests(q: RequestLogQuery): Promise<RequestLogEntry[]> {
    const values: unknown[] = [];
    const $ = (v: unknown) => `$${values.push(v)}`;
    const where: string[] = [];
    // null is the operator's view: every account, and the requests that found none.
    if (q.accountId !== null) where.push(`account_id = ${$(q.accountId)}`);
    if (q.licenseId !== undefined) where.push(`license_id = ${$(q.licenseId)}`);
    if (q.action !== undefined) where.push(`action = ${$(q.action)}`);
    if (q.code !== undefined) where.push(`code = ${$(q.code)}`);
    if (q.ip !== undefined) where.push(`ip = ${$(q.ip)}`);
    if (q.from !== undefined) where.push(`at >= ${$(q.from)}`);
    if (q.to !== undefined) where.push(`at < ${$(q.to)}`);
    if (q.before !== undefined) where.push(`seq < ${$(q.before)}`);
    const rows = await this.rows(`SELECT * FROM request_log ${whereOf(where)} ORDER BY seq DESC LIMIT ${$(q.limit)}`, values);
    return rows.map(toRequest);
  }

  async requestCounts(accountId: string, licenseId: string): Promise<Array<{ action: RequestAction; code: string; count: number }>> {
    const rows = await this.rows(`SELECT action, code, count(*) AS count FROM request_log WHERE account_id = $1 AND license_id = $2
      GROUP BY action, code ORDER BY action, code`, [accountId, licenseId]);
    return rows.map((r) => ({ action: r.action as RequestAction, code: String(r.code), count: Number(r.count) }));
  }

  // Audit log ---------------------------------------------------------------------------------

  /** The chain's head: its newest entry, or the anchor when retention has removed them all. */
  private async auditHead(c: PoolClient): Promise<AuditAnchor> {
    const [last] = (await c.query<Row>(SQL.auditHead([]))).rows;
    return last ? { seq: Number(last.seq), hash: String(last.hash) } : this.anchorOf(c);
  }

  private async anchorOf(db: PoolClient | pg.Pool): Promise<AuditAnchor> {
    const [r] = (await db.query<Row>(SQL.auditAnchor([AUDIT_ANCHOR_KEY]))).rows;
    return (r ? toAnchor(r.value) : null) ?? { ...AUDIT_GENESIS };
  }

  /** The previous append of this process: the next one waits for it (see appendAudit). */
  private auditQueue: Promise<unknown> = Promise.resolve();

  /**
   * Appends of one process queue here before they take the database lock: the chain keeps their
   * call order, and at most one pooled connection per process waits on the lock, the others
   * staying free for the API.
   */
  appendAudit(entry: NewAuditEntry, seal: (prevHash: string, seq: number) => string): Promise<AuditEntry> {
    const appended = this.auditQueue.then(() => this.appendAuditNow(entry, seal));
    this.auditQueue = appended.catch(() => {});
    return appended;
  }

  private async appendAuditNow(entry: NewAuditEntry, seal: (prevHash: string, seq: number) => string): Promise<AuditEntry> {
    return this.tx(async (c) => {
      // The lock stands for the chain's head and is held until COMMIT, so the next appender, in
      // this process or another, reads this entry as its head: no shared seq, no fork.
      await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const head = await this.auditHead(c);
      const seq = head.seq + 1;
      const e: AuditEntry = { ...entry, seq, prevHash: head.hash, hash: seal(head.hash, seq) };
      await c.query(SQL.insertAudit(auditValues(e)));
      return e;
    });
  }

  async listAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const values: unknown[] = [];
    const $ = (v: unknown) => `$${values.push(v)}`;
    const where: string[] = [];
    if (q.accountId === null) where.push('account_id IS NULL');
    else if (q.accountId !== undefined) where.push(`account_id = ${$(q.accountId)}`);
    if (q.actor !== undefined) where.push(`actor = ${$(q.actor)}`);
    if (q.ip !== undefined) where.push(`ip = ${$(q.ip)}`);
    if (q.from !== undefined) where.push(`at >= ${$(q.from)}`);
    if (q.to !== undefined) where.push(`at < ${$(q.to)}`);
    if (q.afterSeq !== undefined) where.push(`seq > ${$(q.afterSeq)}`);
    const rows = await this.rows(`SELECT * FROM audit_log ${whereOf(where)} ORDER BY seq LIMIT ${$(q.limit)}`, values);
    return rows.map(toAudit);
  }

  async auditAnchor(): Promise<AuditAnchor> {
    return this.anchorOf(this.pool);
  }

  // Data-subject requests ---------------------------------------------------------------------

  async createSubjectRequest(request: SubjectRequest): Promise<void> {
    await this.pool.query(`INSERT INTO subject_requests (${SUBJECT_REQUEST_COLUMNS.join(', ')})
      VALUES (${SUBJECT_REQUEST_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`, subjectRequestValues(request));
  }

  async getSubjectRequest(accountId: string, id: string): Promise<SubjectRequest | null> {
    const [r] = await this.rows(`SELECT * FROM subject_requests WHERE account_id = $1 AND id = $2`, [accountId, id]);
    return r ? toSubjectRequest(r) : null;
  }

  async listSubjectRequests(q: SubjectRequestQuery): Promise<SubjectRequest[]> {
    const values: unknown[] = [q.accountId];
    const $ = (v: unknown) => `$${values.push(v)}`;
    const where = ['account_id = $1'];
    if (q.status !== undefined) where.push(`status = ${$(q.status)}`);
    if (q.dueBefore !== undefined) where.push(`status = 'open' AND due_at < ${$(q.dueBefore)}`);
    // The cursor is an id; the order is (due_at, id), so the page resumes after that request's place.
    if (q.after !== undefined) {
      where.push(`(due_at, id) > (SELECT due_at, id FROM subject_requests WHERE account_id = $1 AND id = ${$(q.after)})`);
    }
    const rows = await this.rows(`SELECT * FROM subject_requests ${whereOf(where)} ORDER BY due_at, id LIMIT ${$(q.limit)}`, values);
    return rows.map(toSubjectRequest);
  }

  async completeSubjectRequest(accountId: string, id: string, now: number, artefact: Record<string, unknown>): Promise<SubjectRequest | null> {
    // Only an open request is completed: completing it again keeps the first completion's record.
    const [r] = await this.rows(`UPDATE subject_requests SET status = 'completed', completed_at = $3, artefact = $4
      WHERE account_id = $1 AND id = $2 AND status = 'open' RETURNING *`, [accountId, id, now, JSON.stringify(artefact)]);
    return r ? toSubjectRequest(r) : this.getSubjectRequest(accountId, id);
  }

  // Data-subject rights -----------------------------------------------------------------------

  async findSubject(accountId: string | null, subject: Subject, digest: string): Promise<SubjectRecords> {
    // One snapshot, so that an export is consistent while the servers keep writing.
    return this.tx(async (c) => {
      const found: SubjectRecords = { licenses: [], activations: [], ledger: [], requests: [], audit: [], subjectRequests: [] };
      const select = async (text: string, values: unknown[]) => (await c.query<Row>(text, values)).rows;
      // `$2` is the account, when the search is limited to one.
      const scoped = (column: string) => (accountId === null ? '' : `AND ${column} = $2`);
      const params = (value: unknown) => (accountId === null ? [value] : [value, accountId]);
      if (subject.kind === 'email') {
        found.licenses = (await select(`SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} WHERE ${EMAIL_CANDIDATE('l.email')}
          ${scoped('l.account_id')} ORDER BY l.id`, params(subject.value))).map(toLicense).filter((l) => sameEmail(l.email, subject.value));
        const ids = found.licenses.map((l) => l.id);
        if (ids.length > 0) {
          found.activations = (await select(`SELECT * FROM activations WHERE license_id = ANY($1) ORDER BY id`, [ids])).map(toActivation);
          found.ledger = (await select(`SELECT * FROM token_ledger WHERE license_id = ANY($1) ORDER BY license_id, id`, [ids])).map(toLedger);
          found.requests = (await select(`SELECT * FROM request_log WHERE license_id = ANY($1) ORDER BY seq`, [ids])).map(toRequest);
          // Audit entries name the licenses by id: the subject's trail, with no personal data in it.
          found.audit = (await select(`SELECT * FROM audit_log WHERE target = ANY($1) ORDER BY seq`, [ids])).map(toAudit);
        }
      } else if (subject.kind === 'ip') {
        found.requests = (await select(`SELECT * FROM request_log WHERE ip = $1 ${scoped('account_id')} ORDER BY seq`,
          params(subject.value))).map(toRequest);
        found.audit = (await select(`SELECT * FROM audit_log WHERE ip = $1 ${scoped('account_id')} ORDER BY seq`,
          params(subject.value))).map(toAudit);
      } else {
        const column = subject.kind; // 'domain' or 'device': a column name, never input
        found.activations = (await select(`SELECT a.* FROM activations a JOIN licenses l ON l.id = a.license_id
          WHERE a.${column} = $1 ${scoped('l.account_id')} ORDER BY a.id`, params(subject.value))).map(toActivation);
        found.requests = (await select(`SELECT * FROM request_log WHERE ${column} = $1 ${scoped('account_id')} ORDER BY seq`,
          params(subject.value))).map(toRequest);
      }
      found.subjectRequests = (await select(`SELECT * FROM subject_requests WHERE subject_digest = $1 ${scoped('account_id')}
        ORDER BY id`, params(digest))).map(toSubjectRequest);
      return found;
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async eraseSubject(accountId: string | null, subject: Subject, digest: string, _now: number): Promise<ErasureCounts> {
    const counts = await this.tx(async (c) => {
      const n: ErasureCounts = { licenses: 0, activations: 0, ledger: 0, requests: 0, auditRedacted: 0, subjectRequestsRedacted: 0 };
      const change = async (text: string, values: unknown[]) => (await c.query(text, values)).rowCount ?? 0;
      const scoped = (column: string) => (accountId === null ? '' : `AND ${column} = $2`);
      const params = (value: unknown) => (accountId === null ? [value] : [value, accountId]);
      if (subject.kind === 'email') {
        // License rows first, in id order, as every change to a license takes its locks.
        const ids = (await c.query<Row>(`SELECT id, email FROM licenses WHERE ${EMAIL_CANDIDATE('email')} ${scoped('account_id')}
          ORDER BY id FOR UPDATE`, params(subject.value))).rows.filter((r) => sameEmail(r.email, subject.value)).map((r) => String(r.id));
        if (ids.length > 0) {
          // Deleted one table at a time (rather than by the cascade) to count what went.
          n.activations = await change(`DELETE FROM activations WHERE license_id = ANY($1)`, [ids]);
          n.ledger = await change(`DELETE FROM token_ledger WHERE license_id = ANY($1)`, [ids]);
          await change(`DELETE FROM idempotency WHERE license_id = ANY($1)`, [ids]);
          n.requests = await change(`DELETE FROM request_log WHERE license_id = ANY($1)`, [ids]);
          n.licenses = await change(`DELETE FROM licenses WHERE id = ANY($1)`, [ids]);
        }
      } else if (subject.kind === 'ip') {
        n.requests = await change(`DELETE FROM request_log WHERE ip = $1 ${scoped('account_id')}`, params(subject.value));
        // The chain seals ip_commit, not the IP: removing the IP and its salt leaves the chain intact
        // and the commitment unlinkable.
        n.auditRedacted = await change(`UPDATE audit_log SET ip = NULL, ip_salt = NULL WHERE ip = $1 ${scoped('account_id')}`,
          params(subject.value));
      } else {
        const column = subject.kind; // 'domain' or 'device': a column name, never input
        const ids = (await c.query<Row>(`SELECT id FROM licenses WHERE id IN (SELECT license_id FROM activations WHERE ${column} = $1)
          ${scoped('account_id')} ORDER BY id FOR UPDATE`, params(subject.value))).rows.map((r) => String(r.id));
        if (ids.length > 0) {
          // An active, non-development activation holds a seat: erasing it frees the seat, as a deactivation does.
          await c.query(`UPDATE licenses l SET activation_count = greatest(l.activation_count - f.n, 0)
            FROM (SELECT license_id, count(*)::integer AS n FROM activations
              WHERE license_id = ANY($2) AND ${column} = $1 AND deactivated_at IS NULL AND NOT development GROUP BY license_id) f
            WHERE l.id = f.license_id`, [subject.value, ids]);
          n.activations = await change(`DELETE FROM activations WHERE license_id = ANY($2) AND ${column} = $1`, [subject.value, ids]);
        }
        n.requests = await change(`DELETE FROM request_log WHERE ${column} = $1 ${scoped('account_id')}`, params(subject.value));
      }
      // The request records stay (the controller's evidence); the subject's encrypted value goes.
      n.subjectRequestsRedacted = await change(`UPDATE subject_requests SET subject_encrypted = NULL
        WHERE subject_digest = $1 AND subject_encrypted IS NOT NULL ${scoped('account_id')}`, params(digest));
      return n;
    });
    // A DELETE or UPDATE leaves the old row versions in the table's pages until vacuumed: prune
    // them now (VACUUM cannot run inside a transaction, hence after COMMIT). INDEX_CLEANUP ON:
    // for a few dead rows in a large table VACUUM would otherwise skip the indexes, leaving the
    // erased values there as keys (licenses_email, the activation indexes). It does not block
    // reads or writes. It cannot prune what an older snapshot (a running dump) still sees, nor
    // reach the WAL, replicas or backups: those age out on their own schedule.
    await this.pool.query(`VACUUM (INDEX_CLEANUP ON) ${ERASED_TABLES[subject.kind].join(', ')}`);
    return counts;
  }

  async rectifySubject(accountId: string | null, email: string, change: { email?: string | undefined; name?: string | undefined },
    now: number): Promise<number> {
    if (change.email === undefined && change.name === undefined) return 0;
    const scope = accountId === null ? '' : 'AND account_id = $2';
    const ids = (await this.pool.query<Row>(`SELECT id, email FROM licenses WHERE ${EMAIL_CANDIDATE('email')} ${scope}`,
      accountId === null ? [email] : [email, accountId])).rows.filter((r) => sameEmail(r.email, email)).map((r) => String(r.id));
    if (ids.length === 0) return 0;
    const values: unknown[] = [ids, now];
    const $ = (v: unknown) => `$${values.push(v)}`;
    const sets = ['updated_at = $2'];
    if (change.email !== undefined) sets.push(`email = ${$(change.email)}`);
    if (change.name !== undefined) sets.push(`name = ${$(change.name)}`);
    return this.changed(`UPDATE licenses SET ${sets.join(', ')} WHERE id = ANY($1)`, values);
  }

  // Retention ---------------------------------------------------------------------------------

  /**
   * Each class is its own short transaction (one statement where it can be), so a batch never
   * holds locks for long; SKIP LOCKED leaves rows that an erasure or another server's purge holds
   * to them, instead of waiting.
   */
  async purge(cutoffs: PurgeCutoffs, batch: number, anonymise: (ip: string) => string): Promise<PurgeCounts> {
    const n: PurgeCounts = { requests: 0, ipsAnonymised: 0, audit: 0, activations: 0, licenses: 0 };
    // Old request rows first: an IP about to be deleted is not worth anonymising.
    if (cutoffs.requestLogBefore !== undefined) {
      n.requests = await this.changed(`DELETE FROM request_log WHERE seq IN (SELECT seq FROM request_log WHERE at < $1
        ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED)`, [cutoffs.requestLogBefore, batch]);
    }
    const ipBefore = cutoffs.ipBefore;
    if (ipBefore !== undefined) {
      n.ipsAnonymised = await this.tx(async (c) => {
        // The flag, not a comparison, marks a row done: an anonymised IP may equal the original.
        const rows = (await c.query<Row>(`SELECT seq, ip FROM request_log WHERE ip IS NOT NULL AND NOT ip_anonymised AND at < $1
          ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED`, [ipBefore, batch])).rows;
        if (rows.length === 0) return 0;
        await c.query(`UPDATE request_log r SET ip = u.ip, ip_anonymised = true
          FROM unnest($1::bigint[], $2::text[]) AS u(seq, ip) WHERE r.seq = u.seq`,
        [rows.map((r) => String(r.seq)), rows.map((r) => anonymise(String(r.ip)))]);
        return rows.length;
      });
    }
    const auditBefore = cutoffs.auditBefore;
    if (auditBefore !== undefined) {
      n.audit = await this.tx(async (c) => {
        // Under the chain's lock: no entry is appended while the anchor moves.
        await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
        const rows = (await c.query<Row>(`SELECT seq, at, hash FROM audit_log ORDER BY seq LIMIT $1`, [batch])).rows;
        // Only the chain's oldest entries go, up to the first one still kept: what stays must
        // chain unbroken from the anchor.
        const keep = rows.findIndex((r) => Number(r.at) >= auditBefore);
        const last = rows[(keep === -1 ? rows.length : keep) - 1];
        if (!last) return 0;
        const removed = (await c.query(`DELETE FROM audit_log WHERE seq <= $1`, [last.seq])).rowCount ?? 0;
        await c.query(`INSERT INTO privacy_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
          [AUDIT_ANCHOR_KEY, JSON.stringify({ seq: Number(last.seq), hash: String(last.hash) })]);
        return removed;
      });
    }
    if (cutoffs.deactivatedBefore !== undefined) {
      // A deactivated activation holds no seat, so no license changes with it.
      n.activations = await this.changed(`DELETE FROM activations WHERE id IN (SELECT id FROM activations WHERE deactivated_at < $1
        ORDER BY deactivated_at LIMIT $2 FOR UPDATE SKIP LOCKED)`, [cutoffs.deactivatedBefore, batch]);
    }
    if (cutoffs.expiredBefore !== undefined) {
      // The cascade takes the licenses' activations, ledger entries and idempotency answers along.
      n.licenses = await this.changed(`DELETE FROM licenses WHERE id IN (SELECT id FROM licenses WHERE expires_at < $1
        ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`, [cutoffs.expiredBefore, batch]);
    }
    return n;
  }

  // Breach response ---------------------------------------------------------------------------

  async setAccountApiSuspended(accountId: string, suspendedAt: number | null): Promise<boolean> {
    return (await this.changed(`UPDATE accounts SET api_suspended_at = $1 WHERE id = $2`, [suspendedAt, accountId])) > 0;
  }

  // Migration, backup and restore ------------------------------------------------------------

  dump(): AsyncIterable<DumpRecord> {
    return dumpPostgres(this.pool);
  }

  async counts(): Promise<Record<DumpKind, number>> {
    return countPostgres(this.pool);
  }

  async restore(records: AsyncIterable<DumpRecord>, onRecord?: (n: number) => void): Promise<number> {
    return restorePostgres(this.pool, records, onRecord);
  }

  async rateLimitCounters(name: string, durationSeconds: number): Promise<RateLimiterPostgres> {
    // Counters live in the database, so every server on it counts the same requests. The table
    // was made by the migrations (see there), hence `tableCreated`.
    return new RateLimiterPostgres({
      storeClient: this.pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true,
      keyPrefix: name, points: Number.MAX_SAFE_INTEGER, duration: durationSeconds,
    });
  }
}
