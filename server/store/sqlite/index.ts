import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { consumeRefusal } from '../../domain/validation.js';
import type {
  Account, AccountStatus, Activation, ApiToken, License, LicenseState, Policy, Product,
} from '../../domain/types.js';
import {
  applyPatch, priorFromRow, replayOf, StoreConflict,
  type ActivateInput, type ActivateOutcome, type ActivatedOutcome, type ActivationIdentity, type ConsumeInput, type ConsumeOutcome,
  type DeactivateOutcome, type LicenseChange, type StoredResponse, type LicenseQuery, licenseCursor, licensePosition, NEVER_EXPIRES, type PolicyPatch, type ProductPatch, type Store,
} from '../store.js';
import type { Dumpable, DumpKind, DumpRecord } from '../dump.js';
import { Checkpointer } from './checkpointer.js';
import { countSqlite, dumpSqlite, restoreSqlite } from './dump.js';
import { migrations } from './migrations.js';
import { toAccount, toActivation, toLicense, toPolicy, toProduct, toToken, type Row } from '../sql/rows.js';
import { activationValues, FREE_SEAT, INSERT_ACTIVATION, LICENSE_COLUMNS, LICENSE_FROM, licenseWriter, STATE_SELECT, toStateRow, type LicenseWriter } from './rows.js';
import { activationIdentity, licenseActivationsSql, targetHash } from './identity.js';
import { STATE_ROW, stateRowParams } from './state-slot.js';
import { requestValues } from '../sql/rows.js';
import { SqlitePrivacy } from './privacy.js';
import { openRequestLog, RequestLogWriter, requestLogFile } from './request-log-file.js';
import type {
  AuditAnchor, AuditEntry, AuditQuery, ErasureCounts, NewAuditEntry, NewRequestLogEntry, PurgeCounts, PurgeCutoffs,
  RequestAction, RequestLogEntry, RequestLogQuery, Subject, SubjectRecords, SubjectRequest, SubjectRequestQuery,
} from '../privacy.js';

/** The ledger tail is filed once it holds this many entries, or once a second (see fileLedger). */
const FILE_ROWS = 8192;
const FILE_MS = 1000;

/** What one job of a batch gave: its value, or what it threw. */
interface Outcome { ok: boolean; value: unknown }

function attempt(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, value: err };
  }
}

/** Settles each job's promise with its outcome, in order. */
function settle(jobs: ReadonlyArray<{ resolve: (v: unknown) => void; reject: (e: unknown) => void }>, outcomes: Outcome[]): void {
  jobs.forEach((job, i) => {
    const o = outcomes[i]!;
    if (o.ok) job.resolve(o.value);
    else job.reject(o.value);
  });
}

function isUniqueViolation(err: unknown): boolean {
  const code = err instanceof Error ? (err as { code?: string }).code : undefined;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The embedded default store: one SQLite file in WAL mode, one transaction per change. */
export class SqliteStore implements Store, Dumpable {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  /** The request log's own file (see request-log-file.ts). */
  readonly rq: Database.Database;
  private readonly stmt: Record<string, Database.Statement>;
  private readonly licenses: LicenseWriter;
  private readonly privacy: SqlitePrivacy;
  private readonly onError: (message: string) => void;

  private checkpointer: Checkpointer | null = null;
  /** For a serving store: request-log appends from a worker thread (see request-log-file.ts). */
  private requestWriter: RequestLogWriter | null = null;

  /**
   * `backgroundCheckpoints`: for a long-running server, checkpoint the WAL from a worker thread
   * instead of inside the commits that cross SQLite's threshold (one-shot commands keep the default).
   */
  constructor(file: string, options: {
    backgroundCheckpoints?: boolean;
    /** Overrides for the background checkpointer (see Checkpointer); tests use small ones. */
    checkpoints?: { intervalMs?: number; restartFrames?: number; handOverFrames?: number };
    onError?: (message: string) => void;
    readonly?: boolean;
  } = {}) {
    this.onError = options.onError ?? (() => {});
    if (options.readonly) {
      // A migration or restore source: opened as it is, never changed.
      this.db = new Database(file, { readonly: true, fileMustExist: true });
      const version = Number(this.db.pragma('user_version', { simple: true }));
      if (version !== migrations.length) {
        this.db.close();
        throw new Error(`${file} has schema version ${version}, this BatchKeys reads version ${migrations.length}: open it once with \`batchkeys init\` first`);
      }
      this.rq = openRequestLog(file, true);
      this.stmt = this.prepare();
      this.licenses = licenseWriter(this.db);
      this.privacy = new SqlitePrivacy(this.db, this.rq);
      return;
    }
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    // Small pages: a random single-row change (a seat, a balance) writes 2 KiB to the WAL, not 4.
    // Only takes effect when the file is created.
    this.db.pragma('page_size = 2048');
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a killed process; only an OS crash can lose the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // Deleted rows are overwritten with zeros, so an erased person's data does not linger in
    // free space (the WAL is truncated after an erasure too).
    this.db.pragma('secure_delete = ON');
    // Cap the WAL file's size once a checkpoint has let it restart.
    this.db.pragma('journal_size_limit = 67108864');
    // Migration 7 computes the identities of existing activations with this function.
    this.db.function('bk_activation_target', { deterministic: true }, (domain: unknown, device: unknown) =>
      targetHash(domain === null ? null : String(domain), device === null ? null : String(device)));
    this.migrate();
    this.rq = openRequestLog(file, false);
    this.stmt = this.prepare();
    this.licenses = licenseWriter(this.db);
    // A serving store files what an earlier run left in the tail; a one-shot command (the CLI)
    // files only what it appended itself, so that a read-only command never writes.
    if (options.backgroundCheckpoints) this.tail = this.stmt.tailRows!.get() as number;
    this.privacy = new SqlitePrivacy(this.db, this.rq);
    if (options.backgroundCheckpoints && file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      // The last stretch of a checkpoint that the background thread could not finish (see
      // checkpointer.ts): run here, between two transactions of the only writer, it completes.
      const finish = () => {
        if (this.db.open && !this.db.inTransaction) this.db.pragma('wal_checkpoint(PASSIVE)');
      };
      this.checkpointer = new Checkpointer(file, this.onError, finish, options.checkpoints);
      this.requestWriter = new RequestLogWriter(file, this.onError);
    }
  }

  private migrate(): void {
    const current = Number(this.db.pragma('user_version', { simple: true }));
    if (current > migrations.length) {
      throw new Error(`the database schema (version ${current}) is newer than this BatchKeys (${migrations.length})`);
    }
    for (let v = current; v < migrations.length; v++) {
      const m = migrations[v]!;
      const sql = typeof m === 'string' ? m : m.sql;
      const keysOff = typeof m !== 'string' && !m.foreignKeys;
      // The pragma is a no-op inside a transaction: it is switched around it.
      if (keysOff) this.db.pragma('foreign_keys = OFF');
      try {
        this.db.transaction(() => {
          this.db.exec(sql);
          if (keysOff && (this.db.pragma('foreign_key_check') as unknown[]).length > 0) {
            throw new Error(`schema migration ${v + 1} would break a foreign key: the database is left as it was`);
          }
          this.db.pragma(`user_version = ${v + 1}`);
        })();
      } finally {
        if (keysOff) this.db.pragma('foreign_keys = ON');
      }
    }
  }

  private prepare(): Record<string, Database.Statement> {
    const p = (sql: string) => this.db.prepare(sql);
    return {
      stateByDigest: p(`${STATE_SELECT} WHERE ${STATE_ROW('s')}`).raw(),
      licenseById: p(`SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} WHERE l.id = ?`),
      licenseByAccount: p(`SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} WHERE l.account_id = ? AND l.id = ?`),
      insertLedger: p(`INSERT INTO token_ledger (id, license_id, delta, reason, idempotency_key, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      appendLedger: p(`INSERT INTO ledger_tail (id, license_id, delta, reason, idempotency_key, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      tailRows: p(`SELECT count(*) FROM ledger_tail`).pluck(),
      tailBound: p(`SELECT coalesce((SELECT seq FROM ledger_tail ORDER BY seq LIMIT 1 OFFSET ?), (SELECT max(seq) FROM ledger_tail))`).pluck(),
      fileTail: p(`INSERT INTO token_ledger (license_id, id, delta, reason, idempotency_key, created_at)
        SELECT t.license_id, t.id, t.delta, t.reason, t.idempotency_key, t.created_at FROM ledger_tail t
        WHERE t.seq <= ? AND EXISTS (SELECT 1 FROM licenses l WHERE l.id = t.license_id) ORDER BY t.license_id, t.id`),
      dropTail: p(`DELETE FROM ledger_tail WHERE seq <= ?`),
      // An activation is found by its identity (see identity.ts), then checked.
      activeActivationByDomain: p(`SELECT * FROM activations WHERE identity = ? AND license_id = ? AND domain = ?
        AND deactivated_at IS NULL`),
      activeActivationByDevice: p(`SELECT * FROM activations WHERE identity = ? AND license_id = ? AND domain IS NULL
        AND device = ? AND deactivated_at IS NULL`),
      // The license API's changes go to license_state by key digest (its slot range, see
      // state-slot.ts): one descent, to the page that the lookup before them has just read.
      takeSeat: p(`UPDATE license_state SET activation_count = activation_count + 1
        WHERE ${STATE_ROW()} AND (max_activations IS NULL OR activation_count < max_activations) RETURNING activation_count`),
      freeSeat: p(FREE_SEAT),
      insertActivation: p(INSERT_ACTIVATION),
      deactivateActivation: p(`UPDATE activations SET deactivated_at = ? WHERE id = ? AND deactivated_at IS NULL`),
      touchActivation: p(`UPDATE activations SET last_seen_at = max(last_seen_at, ?) WHERE id = ?`),
      idempotencyGet: p(`SELECT amount, status, body, created_at FROM idempotency WHERE license_id = ? AND key = ?`),
      idempotencyPut: p(`INSERT OR REPLACE INTO idempotency (license_id, key, amount, status, body, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      consumeTokens: p(`UPDATE license_state SET tokens_remaining = tokens_remaining - ?, updated_at = ?
        WHERE ${STATE_ROW()} AND tokens_remaining >= ? RETURNING tokens_remaining`),
      tokenByHash: p(`SELECT * FROM api_tokens WHERE hash = ?`),
      touchToken: p(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`),
    };
  }

  async close(): Promise<void> {
    if (this.pending.length > 0) this.flush();
    // A store left closed has an empty tail (not needed for correctness: reads see the tail too).
    if (this.db.open && !this.db.readonly && this.tail > 0) {
      try {
        this.db.transaction(() => {
          while (this.fileLedger(FILE_ROWS) > 0);
        }).immediate();
      } catch (err) {
        this.onError(`filing the token ledger failed: ${(err as Error).message}`);
      }
    }
    await this.checkpointer?.stop();
    await this.requestWriter?.stop();
    if (this.rq.open) this.rq.close();
    if (this.db.open) this.db.close();
  }

  // Group commit ------------------------------------------------------------------------

  private pending: Array<{ fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  private flushScheduled = false;
  private readonly savepoint = (fn: () => unknown) => fn();
  private savepointTx: ((fn: () => unknown) => unknown) | null = null;

  /**
   * Runs a change as part of a group commit: the changes that arrive in the same turn of the
   * event loop share one SQLite transaction (one WAL commit), each inside its own savepoint, so
   * a change that throws undoes only itself. Every caller's promise settles after the commit,
   * so nothing is acknowledged before it is durable, and each change stays atomic.
   */
  private write<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.db.inTransaction) {
      // A streamed import holds the connection's transaction: wait for it to end.
      this.flushScheduled = true;
      setTimeout(() => this.flush(), 5);
      return;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.savepointTx ??= this.db.transaction(this.savepoint);
    const inner = this.savepointTx;
    const outcomes: Outcome[] = [];
    const fileNow = this.tail >= FILE_ROWS || (this.tail > 0 && Date.now() - this.filedAt >= FILE_MS);
    try {
      this.db.transaction(() => {
        if (fileNow) {
          try {
            inner(() => this.fileLedger(FILE_ROWS));
          } catch (err) {
            // The entries stay in the tail, where every read sees them: the batch goes on.
            this.onError(`filing the token ledger failed: ${(err as Error).message}`);
          }
        }
        for (const job of batch) outcomes.push(attempt(() => inner(job.fn)));
      }).immediate();
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
    settle(batch, outcomes);
  }

  // The ledger tail (see migration 5) ---------------------------------------------------

  /** Entries in ledger_tail that this store is to file (see the constructor). */
  private tail = 0;
  private filedAt = Date.now();

  /**
   * Moves the oldest `limit` entries of ledger_tail into token_ledger, in license order, inside
   * the caller's transaction. Filed in batches, the entries of a busy license share their page
   * writes (a few thousand consumes of a thousand hot keys write each key's ledger page once,
   * not once an entry); a batch over keys that are all different costs what appending each
   * entry to token_ledger would have, at most FILE_ROWS of them in one transaction.
   */
  private fileLedger(limit: number): number {
    const upto = this.stmt.tailBound!.get(limit - 1) as number | null;
    this.filedAt = Date.now();
    if (upto === null) {
      this.tail = 0;
      return 0;
    }
    this.stmt.fileTail!.run(upto);
    const filed = this.stmt.dropTail!.run(upto).changes;
    this.tail = Math.max(0, this.tail - filed);
    return filed;
  }

  // Accounts and tokens ------------------------------------------------------------------

  async createAccount(a: Account): Promise<void> {
    this.db.prepare(`INSERT INTO accounts (id, name, status, operator, api_suspended_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(a.id, a.name, a.status, a.operator ? 1 : 0, a.apiSuspendedAt, a.createdAt, a.updatedAt);
  }
  async getAccount(id: string): Promise<Account | null> {
    const r = this.db.prepare(`SELECT * FROM accounts WHERE id = ?`).get(id) as Row | undefined;
    return r ? toAccount(r) : null;
  }
  async listAccounts(): Promise<Account[]> {
    return (this.db.prepare(`SELECT * FROM accounts ORDER BY id`).all() as Row[]).map(toAccount);
  }
  async setAccountStatus(id: string, status: AccountStatus, now: number): Promise<Account | null> {
    this.db.prepare(`UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?`).run(status, now, id);
    return this.getAccount(id);
  }

  async createToken(t: ApiToken): Promise<void> {
    this.db.prepare(`INSERT INTO api_tokens (id, account_id, name, scopes, hash, created_at, last_used_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(t.id, t.accountId, t.name, JSON.stringify(t.scopes), t.hash, t.createdAt, t.lastUsedAt, t.revokedAt);
  }
  async findTokenByHash(hash: string): Promise<ApiToken | null> {
    const r = this.stmt.tokenByHash!.get(hash) as Row | undefined;
    return r ? toToken(r) : null;
  }
  async listTokens(accountId: string): Promise<ApiToken[]> {
    return (this.db.prepare(`SELECT * FROM api_tokens WHERE account_id = ? ORDER BY id`).all(accountId) as Row[]).map(toToken);
  }
  async revokeToken(accountId: string, id: string, now: number): Promise<boolean> {
    return this.db.prepare(`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE account_id = ? AND id = ?`)
      .run(now, accountId, id).changes > 0;
  }
  async touchToken(id: string, now: number): Promise<void> {
    this.stmt.touchToken!.run(now, id);
  }

  // Products and policies ----------------------------------------------------------------

  async createProduct(pr: Product): Promise<void> {
    try {
      this.db.prepare(`INSERT INTO products (id, account_id, name, slug, key_prefix, metadata, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(pr.id, pr.accountId, pr.name, pr.slug, pr.keyPrefix, JSON.stringify(pr.metadata), pr.createdAt, pr.updatedAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreConflict('slug');
      throw err;
    }
  }
  async getProduct(accountId: string, idOrSlug: string): Promise<Product | null> {
    const r = this.db.prepare(`SELECT * FROM products WHERE account_id = ? AND (id = ? OR slug = ?)`)
      .get(accountId, idOrSlug, idOrSlug) as Row | undefined;
    return r ? toProduct(r) : null;
  }
  async listProducts(accountId: string): Promise<Product[]> {
    return (this.db.prepare(`SELECT * FROM products WHERE account_id = ? ORDER BY id`).all(accountId) as Row[]).map(toProduct);
  }
  async updateProduct(accountId: string, id: string, patch: ProductPatch, now: number): Promise<Product | null> {
    const current = await this.getProduct(accountId, id);
    if (!current || current.id !== id) return null;
    const next = { ...applyPatch(current, patch), updatedAt: now };
    try {
      this.db.prepare(`UPDATE products SET name = ?, slug = ?, key_prefix = ?, metadata = ?, updated_at = ? WHERE id = ?`)
        .run(next.name, next.slug, next.keyPrefix, JSON.stringify(next.metadata), now, id);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreConflict('slug');
      throw err;
    }
    return next;
  }
  async deleteProduct(accountId: string, id: string): Promise<'deleted' | 'not_found' | 'in_use'> {
    return this.db.transaction((): 'deleted' | 'not_found' | 'in_use' => {
      const exists = this.db.prepare(`SELECT 1 FROM products WHERE account_id = ? AND id = ?`).get(accountId, id);
      if (!exists) return 'not_found';
      if (this.db.prepare(`SELECT 1 FROM licenses WHERE account_id = ? AND product_id = ? LIMIT 1`).get(accountId, id)) return 'in_use';
      this.db.prepare(`DELETE FROM products WHERE id = ?`).run(id);
      return 'deleted';
    }).immediate();
  }

  async createPolicy(po: Policy): Promise<void> {
    this.db.prepare(`INSERT INTO policies (id, account_id, product_id, name, duration_days, lock, max_activations, tokens,
      created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(po.id, po.accountId, po.productId, po.name, po.durationDays, po.lock, po.maxActivations, po.tokens,
        po.createdAt, po.updatedAt);
  }
  async getPolicy(accountId: string, id: string): Promise<Policy | null> {
    const r = this.db.prepare(`SELECT * FROM policies WHERE account_id = ? AND id = ?`).get(accountId, id) as Row | undefined;
    return r ? toPolicy(r) : null;
  }
  async listPolicies(accountId: string, productId?: string): Promise<Policy[]> {
    const rows = productId
      ? this.db.prepare(`SELECT * FROM policies WHERE account_id = ? AND product_id = ? ORDER BY id`).all(accountId, productId)
      : this.db.prepare(`SELECT * FROM policies WHERE account_id = ? ORDER BY id`).all(accountId);
    return (rows as Row[]).map(toPolicy);
  }
  async updatePolicy(accountId: string, id: string, patch: PolicyPatch, now: number): Promise<Policy | null> {
    const current = await this.getPolicy(accountId, id);
    if (!current) return null;
    const n = { ...applyPatch(current, patch), updatedAt: now };
    this.db.prepare(`UPDATE policies SET name = ?, duration_days = ?, lock = ?, max_activations = ?, tokens = ?,
      updated_at = ? WHERE id = ?`).run(n.name, n.durationDays, n.lock, n.maxActivations, n.tokens, now, id);
    return n;
  }
  async deletePolicy(accountId: string, id: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM policies WHERE account_id = ? AND id = ?`).run(accountId, id).changes > 0;
  }

  // Licenses ------------------------------------------------------------------------------

  private insertLicense(l: License): void {
    this.licenses.insert(l);
    this.grantTokens(l);
  }

  private grantTokens(l: License): void {
    if (l.tokensTotal !== null && l.tokensTotal > 0) {
      this.stmt.insertLedger!.run(`${l.id}_grant`, l.id, l.tokensTotal, 'grant', null, l.createdAt);
    }
  }

  async createLicense(l: License): Promise<void> {
    try {
      await this.write(() => this.insertLicense(l));
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreConflict('key');
      throw err;
    }
  }

  async importLicenses(rows: AsyncIterable<License>, onRow?: (count: number) => void): Promise<number> {
    // One explicit transaction spans the whole (streamed) import, so a failure at row N
    // leaves the store exactly as it was. The CLI is the only user of this connection meanwhile.
    let count = 0;
    // The licenses' records land at random places of their email index: a page cache of 64 MB
    // (for the import only) keeps more of its pages between rows.
    const cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma('cache_size = -65536');
    this.db.exec('BEGIN IMMEDIATE');
    try {
      // Their state rows are written at the end, in slot order (see BulkLicenseWriter).
      const bulk = this.licenses.bulk();
      for await (const l of rows) {
        try {
          bulk.add(l);
        } catch (err) {
          if (isUniqueViolation(err)) throw new StoreConflict('key', count + 1);
          throw err;
        }
        this.grantTokens(l);
        count++;
        onRow?.(count);
      }
      const conflict = bulk.finish();
      if (conflict !== null) throw new StoreConflict('key', conflict);
      this.db.exec('COMMIT');
      return count;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.db.pragma(`cache_size = ${cacheSize}`);
    }
  }

  private lookups: Array<{ read: () => unknown; resolve: (value: unknown) => void; reject: (err: unknown) => void }> = [];
  private readonly readBatch = (): void => {
    const batch = this.lookups;
    this.lookups = [];
    const run = () => batch.map((l) => attempt(l.read));
    let outcomes: Outcome[];
    try {
      // One read transaction for all the reads of this turn: SQLite takes and releases its
      // shared lock (system calls) once for the batch instead of once a read, and the batch's
      // B-tree descents run back to back, while the pages are in the CPU's caches.
      outcomes = batch.length === 1 || this.db.inTransaction ? run() : this.db.transaction(run).deferred();
    } catch (err) {
      for (const l of batch) l.reject(err);
      return;
    }
    settle(batch, outcomes);
  };

  /** The license API's reads that arrive in the same turn of the event loop are read together (see readBatch). */
  private readInBatch<T>(read: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.lookups.length === 0) setImmediate(this.readBatch);
      this.lookups.push({ read, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  findLicenseByDigest(digest: string): Promise<LicenseState | null> {
    return this.readInBatch(() => this.stateByDigest(digest));
  }

  async getLicense(accountId: string, id: string): Promise<License | null> {
    const r = this.stmt.licenseByAccount!.get(accountId, id) as Row | undefined;
    return r ? toLicense(r) : null;
  }

  async listLicenses(accountId: string, q: LicenseQuery): Promise<{ items: License[]; nextCursor: string | null }> {
    const sort = q.sort ?? 'createdAt';
    const order = q.order ?? 'desc';
    const cmp = order === 'desc' ? '<' : '>';
    // In creation (id) order the list walks licenses_account; in expiry order, license_state_expiry,
    // whose expression the key repeats word for word. The account and the id are named on the
    // table that leads, so that its index bounds the range and gives the order.
    const key = sort === 'expiresAt' ? `coalesce(s.expires_at, ${NEVER_EXPIRES})` : null;
    const [account, id] = key ? ['s.account_id', 's.license_id'] : ['l.account_id', 'l.id'];
    const where = [`${account} = @accountId`];
    const params: Row = { accountId, limit: q.limit + 1, now: q.now };
    const at = licensePosition(q);
    if (at) {
      // (key, id) past (value, id), spelt so that the key bounds the index range (a row value would not).
      if (key) { where.push(`${key} ${cmp}= @atValue AND (${key} ${cmp} @atValue OR ${id} ${cmp} @cursor)`); params.atValue = at.value; }
      else where.push(`${id} ${cmp} @cursor`);
      params.cursor = at.id;
    }
    if (q.productId) { where.push('l.product_id = @productId'); params.productId = q.productId; }
    if (q.email) { where.push('l.email = @email COLLATE NOCASE'); params.email = q.email; }
    if (q.status === 'expired') where.push(`s.status = 'active' AND s.expires_at IS NOT NULL AND s.expires_at <= @now`);
    else if (q.status === 'active') where.push(`s.status = 'active' AND (s.expires_at IS NULL OR s.expires_at > @now)`);
    else if (q.status) { where.push('s.status = @status'); params.status = q.status; }
    if (q.q) {
      where.push(`(l.id = @q OR l.key_digest = @qDigest OR l.email LIKE @qLike ESCAPE '\\' OR l.name LIKE @qLike ESCAPE '\\')`);
      params.q = q.q;
      params.qDigest = q.qDigest ?? '';
      params.qLike = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const rows = this.db.prepare(`SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} WHERE ${where.join(' AND ')}
      ORDER BY ${key ? `${key} ${order}, ` : ''}${id} ${order} LIMIT @limit`).all(params) as Row[];
    const items = rows.slice(0, q.limit).map(toLicense);
    const last = items[items.length - 1];
    const nextCursor = rows.length > q.limit && last ? licenseCursor(sort, order, last) : null;
    return { items, nextCursor };
  }

  async *iterateLicenses(accountId: string | null, batchSize = 1000): AsyncIterable<License> {
    let after = '';
    const stmt = this.db.prepare(`SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM}
      WHERE l.id > @after ${accountId ? 'AND l.account_id = @accountId' : ''} ORDER BY l.id LIMIT @limit`);
    for (;;) {
      const rows = stmt.all({ after, accountId, limit: batchSize }) as Row[];
      if (rows.length === 0) return;
      for (const r of rows) yield toLicense(r);
      after = String(rows[rows.length - 1]!.id);
    }
  }

  async modifyLicense(accountId: string, id: string, change: (l: License) => LicenseChange): Promise<License | null> {
    return this.write((): License | null => {
      const r = this.stmt.licenseByAccount!.get(accountId, id) as Row | undefined;
      if (!r) return null;
      const { license, ledger } = change(toLicense(r));
      this.licenses.update(license);
      if (ledger) this.stmt.insertLedger!.run(ledger.id, id, ledger.delta, ledger.reason, null, license.updatedAt);
      return toLicense(this.stmt.licenseById!.get(id) as Row);
    });
  }

  async deleteLicense(accountId: string, id: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM licenses WHERE account_id = ? AND id = ?`).run(accountId, id).changes > 0;
  }

  // Activations ---------------------------------------------------------------------------

  /** `identity`: the activation's index value, when the caller has it already (see identity.ts). */
  private activeActivation(licenseId: string, by: ActivationIdentity, identity?: number): Activation | null {
    const r = ('domain' in by
      ? this.stmt.activeActivationByDomain!.get(identity ?? activationIdentity(licenseId, by.domain, null), licenseId, by.domain)
      : this.stmt.activeActivationByDevice!.get(identity ?? activationIdentity(licenseId, null, by.device), licenseId, by.device)) as Row | undefined;
    return r ? toActivation(r) : null;
  }

  /** A validation's second read, for a locked key: batched like the first. */
  findActivation(licenseId: string, by: ActivationIdentity): Promise<Activation | null> {
    return this.readInBatch(() => this.activeActivation(licenseId, by));
  }

  private stateByDigest(digest: string): LicenseState | null {
    const r = this.stmt.stateByDigest!.get(...stateRowParams(digest)) as unknown[] | undefined;
    return r ? toStateRow(r) : null;
  }

  async activate(input: ActivateInput): Promise<ActivateOutcome> {
    const settled = (outcome: ActivatedOutcome): ActivatedOutcome => {
      input.settled?.(outcome);
      return outcome;
    };
    return this.write((): ActivateOutcome => {
      const license = this.stateByDigest(input.digest);
      if (!license) return { kind: 'not_found' };
      const plan = input.plan(license);
      const by: ActivationIdentity = plan.domain !== null ? { domain: plan.domain } : { device: plan.device ?? '' };
      // One identity for the lookup and the insert.
      const identity = activationIdentity(license.id, plan.domain, plan.device);
      const existing = this.activeActivation(license.id, by, identity);
      if (existing) return settled({ kind: 'existing', activation: existing, license });
      if (!plan.development) {
        // The seat is taken by a conditional update: the limit holds whatever runs concurrently.
        const seat = this.stmt.takeSeat!.get(...stateRowParams(input.digest)) as Row | undefined;
        if (!seat) return { kind: 'limit', license };
        license.activationCount = Number(seat.activation_count);
      }
      const activation: Activation = {
        id: input.id, licenseId: license.id, domain: plan.domain, device: plan.device, label: plan.label,
        development: plan.development, createdAt: input.now, lastSeenAt: input.now, deactivatedAt: null,
      };
      this.stmt.insertActivation!.run(activationValues(activation, identity));
      return settled({ kind: 'created', activation, license });
    });
  }

  private deactivateRow(a: Activation, digest: string, now: number): void {
    this.stmt.deactivateActivation!.run(now, a.id);
    if (!a.development) this.stmt.freeSeat!.run(...stateRowParams(digest));
  }

  async deactivate(digest: string, choose: (license: LicenseState) => ActivationIdentity, now: number): Promise<DeactivateOutcome> {
    return this.write((): DeactivateOutcome => {
      const license = this.stateByDigest(digest);
      if (!license) return { kind: 'not_found' };
      const a = this.activeActivation(license.id, choose(license));
      if (!a) return { kind: 'not_active' };
      this.deactivateRow(a, digest, now);
      if (!a.development) license.activationCount = Math.max(0, license.activationCount - 1);
      return { kind: 'deactivated', activation: { ...a, deactivatedAt: now }, license };
    });
  }

  async deactivateById(accountId: string, activationId: string, now: number): Promise<boolean> {
    return this.write((): boolean => {
      const r = this.db.prepare(`SELECT act.*, l.key_digest FROM activations act JOIN licenses l ON l.id = act.license_id
        WHERE act.id = ? AND l.account_id = ? AND act.deactivated_at IS NULL`).get(activationId, accountId) as Row | undefined;
      if (!r) return false;
      this.deactivateRow(toActivation(r), String(r.key_digest), now);
      return true;
    });
  }

  async resetActivations(accountId: string, licenseId: string, now: number): Promise<License | null> {
    return this.write((): License | null => {
      const license = this.stmt.licenseByAccount!.get(accountId, licenseId) as Row | undefined;
      if (!license) return null;
      this.db.prepare(`UPDATE activations SET deactivated_at = @now WHERE ${licenseActivationsSql('@license')} AND deactivated_at IS NULL`)
        .run({ now, license: licenseId });
      this.db.prepare(`UPDATE license_state SET activation_count = 0, updated_at = ? WHERE ${STATE_ROW()}`)
        .run(now, ...stateRowParams(String(license.key_digest)));
      return toLicense(this.stmt.licenseById!.get(licenseId) as Row);
    });
  }

  async listActivations(accountId: string, licenseId: string, includeInactive: boolean): Promise<Activation[] | null> {
    if (!this.stmt.licenseByAccount!.get(accountId, licenseId)) return null;
    const rows = this.db.prepare(`SELECT * FROM activations WHERE ${licenseActivationsSql('@license')}
      ${includeInactive ? '' : 'AND deactivated_at IS NULL'} ORDER BY id`).all({ license: licenseId }) as Row[];
    return rows.map(toActivation);
  }

  async touchActivations(ids: readonly string[], now: number): Promise<void> {
    await this.write(() => {
      for (const id of ids) this.stmt.touchActivation!.run(now, id);
    });
  }

  // Tokens --------------------------------------------------------------------------------

  async consume(input: ConsumeInput): Promise<ConsumeOutcome> {
    const { amount, idempotencyKey: idem, now } = input;
    return this.write((): ConsumeOutcome => {
      const license = this.stateByDigest(input.digest);
      if (!license) return { kind: 'not_found' };
      const licenseId = license.id;
      if (idem !== null) {
        const replay = replayOf(priorFromRow(this.stmt.idempotencyGet!.get(licenseId, idem) as Row | undefined), amount, now);
        if (replay) return replay;
      }
      const refused = consumeRefusal(license, now);
      let response: StoredResponse;
      if (refused) {
        response = input.render({ kind: 'refused', code: refused, license });
      } else {
        const updated = this.stmt.consumeTokens!.get(amount, now, ...stateRowParams(input.digest), amount) as Row | undefined;
        if (!updated) {
          response = input.render({ kind: 'refused', code: 'INSUFFICIENT_TOKENS', license });
        } else {
          this.stmt.appendLedger!.run(input.ledgerId, licenseId, -amount, 'consume', idem, now);
          this.tail++;
          const after = { ...license, tokensRemaining: Number(updated.tokens_remaining) };
          response = input.render({ kind: 'ok', license: after, consumed: amount });
        }
      }
      if (idem !== null) this.stmt.idempotencyPut!.run(licenseId, idem, amount, response.status, response.body, now);
      input.settled?.(response);
      return { kind: 'answer', replayed: false, response };
    });
  }

  async *dump(): AsyncIterable<DumpRecord> {
    await this.syncRequestLog();
    yield* dumpSqlite(this.db, this.rq);
  }

  async counts(): Promise<Record<DumpKind, number>> {
    await this.syncRequestLog();
    return countSqlite(this.db, this.rq);
  }

  async restore(records: AsyncIterable<DumpRecord>, onRecord?: (n: number) => void): Promise<number> {
    await this.syncRequestLog();
    return restoreSqlite(this.db, this.rq, records, onRecord);
  }

  /** A consistent copy of the database file through SQLite's online backup API. */
  /** The store's file and, beside it, its request log (`<name>-requests.db`). */
  async backup(file: string): Promise<void> {
    await this.db.backup(file);
    await this.syncRequestLog();
    await this.rq.backup(requestLogFile(file));
  }

  serialized<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async rateLimitCounters(): Promise<null> {
    // One process owns the file: in-memory counters are exact.
    return null;
  }

  async purgeIdempotency(before: number): Promise<number> {
    return this.db.prepare(`DELETE FROM idempotency WHERE created_at < ?`).run(before).changes;
  }

  // Privacy -------------------------------------------------------------------------------

  async appendRequests(entries: readonly NewRequestLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (this.requestWriter) await this.requestWriter.append(entries.map(requestValues));
    else await this.write(() => this.privacy.appendRequests(entries));
  }
  /**
   * Commits what the request-log thread holds: the log's reads, changes, dumps and backups here
   * call it first, so that they see (and act on) every row appended before them.
   */
  private async syncRequestLog(): Promise<void> {
    await this.requestWriter?.commit();
  }
  async listRequests(query: RequestLogQuery): Promise<RequestLogEntry[]> {
    await this.syncRequestLog();
    return this.privacy.listRequests(query);
  }
  async requestCounts(accountId: string, licenseId: string): Promise<Array<{ action: RequestAction; code: string; count: number }>> {
    await this.syncRequestLog();
    return this.privacy.requestCounts(accountId, licenseId);
  }
  async appendAudit(entry: NewAuditEntry, seal: (prevHash: string, seq: number) => string): Promise<AuditEntry> {
    return this.write(() => this.privacy.appendAudit(entry, seal));
  }
  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    return this.privacy.listAudit(query);
  }
  async auditAnchor(): Promise<AuditAnchor> {
    return this.privacy.anchor();
  }
  async createSubjectRequest(request: SubjectRequest): Promise<void> {
    await this.write(() => this.privacy.createSubjectRequest(request));
  }
  async getSubjectRequest(accountId: string, id: string): Promise<SubjectRequest | null> {
    return this.privacy.getSubjectRequest(accountId, id);
  }
  async listSubjectRequests(query: SubjectRequestQuery): Promise<SubjectRequest[]> {
    return this.privacy.listSubjectRequests(query);
  }
  async completeSubjectRequest(accountId: string, id: string, now: number, artefact: Record<string, unknown>): Promise<SubjectRequest | null> {
    return this.write(() => this.privacy.completeSubjectRequest(accountId, id, now, artefact));
  }
  async findSubject(accountId: string | null, subject: Subject, digest: string): Promise<SubjectRecords> {
    await this.syncRequestLog();
    return this.privacy.findSubject(accountId, subject, digest);
  }
  async eraseSubject(accountId: string | null, subject: Subject, digest: string, _now: number): Promise<ErasureCounts> {
    await this.syncRequestLog();
    const counts = await this.write(() => this.privacy.eraseSubject(accountId, subject, digest));
    await this.truncateWal();
    return counts;
  }
  async rectifySubject(accountId: string | null, email: string, change: { email?: string | undefined; name?: string | undefined }, now: number): Promise<number> {
    const n = await this.write(() => this.privacy.rectifySubject(accountId, email, change, now));
    await this.truncateWal();
    return n;
  }
  async purge(cutoffs: PurgeCutoffs, batch: number, anonymise: (ip: string) => string): Promise<PurgeCounts> {
    await this.syncRequestLog();
    return this.write(() => this.privacy.purge(cutoffs, batch, anonymise));
  }
  async setAccountApiSuspended(accountId: string, suspendedAt: number | null): Promise<boolean> {
    return this.write(() => this.privacy.setAccountApiSuspended(accountId, suspendedAt));
  }

  /**
   * Copies the WAL into the database and empties it, so that the page images holding erased
   * values are gone from disk. A background checkpoint or a reader can hold it up: retry briefly.
   */
  private async truncateWal(): Promise<void> {
    if (this.db.memory) return;
    for (const db of [this.db, this.rq]) {
      for (let attempt = 0; ; attempt++) {
        const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
        if (r && r.busy === 0) break;
        if (attempt === 50) throw new Error('could not truncate the WAL after an erasure: another connection keeps reading');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}
