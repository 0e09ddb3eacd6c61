import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { consumeRefusal } from '../../domain/validation.js';
import type {
  Account, AccountStatus, Activation, ApiToken, License, LicenseState, Policy, Product,
} from '../../domain/types.js';
import {
  applyPatch, replayOf, StoreConflict,
  type ActivateInput, type ActivateOutcome, type ActivationIdentity, type ConsumeInput, type ConsumeOutcome,
  type DeactivateOutcome, type LicenseChange, type LicenseQuery, expirySortKey, licenseCursor, licensePosition, type PolicyPatch, type ProductPatch, type Store,
  type StoredResponse,
} from '../store.js';
import type { DumpKind, DumpRecord, Dumpable } from '../dump.js';
import type {
  AuditAnchor, AuditEntry, AuditQuery, ErasureCounts, NewAuditEntry, NewRequestLogEntry, PurgeCounts, PurgeCutoffs, RequestAction,
  RequestLogEntry, RequestLogQuery, Subject, SubjectRecords, SubjectRequest, SubjectRequestQuery,
} from '../privacy.js';
import { GroupCommit } from './commit.js';
import { JsonData, jsonCopy, pair } from './data.js';
import { countJson, dumpJson, encodeBody, fromDump } from './dump.js';
import { readStoreFile, refuseRecord, StoreFileWriter, writeBackup } from './file.js';
import { JsonRequestLog, requestLogPath } from './request-log.js';
import { JsonPrivacy } from './privacy.js';
import { checkRecord, type StoredIdempotency, type StoredLicense } from './schema.js';
import { lowerBound, type UndoLog } from './table.js';

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
/** SQLite's NOCASE and LIKE fold ASCII letters only; so does this store. */
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The license fields `modifyLicense` may change (the others are the store's to keep). */
const MODIFIABLE = ['policyId', 'status', 'expiresAt', 'durationDays', 'lock', 'maxActivations', 'tokensRemaining',
  'tokensTotal', 'email', 'name', 'metadata', 'updatedAt'] as const;

/**
 * The JSON file store: the whole data set in memory, indexed by Maps, and in one pretty-printed
 * file that people can read. Every change goes through one serialised queue with group commit
 * (see `GroupCommit`) and is in the file before its promise resolves. One process owns the file.
 */
export class JsonStore implements Store, Dumpable {
  readonly kind = 'json' as const;

  private readonly d = new JsonData();
  private readonly privacy = new JsonPrivacy(this.d);
  private readonly writer: StoreFileWriter;
  private readonly commit: GroupCommit;
  /** The file as read at open, until the first write has kept it as `<file>.bak`. */
  private backup: string | null = null;
  /** Set by a change that removes personal data: the next write scrubs the backup too (see `persist`). */
  private scrub = false;

  /** The request log's own file (see request-log.ts). */
  private readonly requestLog: JsonRequestLog;

  private constructor(readonly file: string) {
    this.writer = new StoreFileWriter(file);
    this.requestLog = new JsonRequestLog(requestLogPath(file));
    this.commit = new GroupCommit(() => this.persist());
  }

  /**
   * Opens (or creates) the store file. A file that cannot be read, parsed or checked stops
   * here with an error naming the file and the problem, and is never written to.
   */
  static async open(file: string): Promise<JsonStore> {
    await mkdir(dirname(file), { recursive: true });
    const good = await readStoreFile(file);
    const store = new JsonStore(file);
    if (good) {
      store.d.load(good.data, [], (table, i, err) => refuseRecord(file, table, i, err));
      store.backup = good.text;
    } else {
      await store.persist();
    }
    store.d.loadRequests(await store.requestLog.load());
    return store;
  }

  /**
   * Writes the data set. The first write of a session first keeps the file as read at open as
   * `.bak`. A write that carries an erasure, a rectification or a purge instead rewrites `.bak`
   * from the new state: the old backup (and the text read at open, still held in memory) may
   * hold exactly what was removed, and an erasure has to reach every file of the store. Removing
   * `.bak` would satisfy that too, but rewriting keeps a good copy to fall back on; the price is
   * that `.bak` then goes back only to the last such change, not to the start of the session.
   * Both files are replaced by rename, so no temp file outlives a write, and the main file is
   * written last, as always: a failed write leaves it, and memory, as they were (`.bak` may then
   * already hold the new state: still a whole, good file, and one without the removed data).
   */
  private async persist(): Promise<void> {
    const scrub = this.scrub;
    this.scrub = false;
    try {
      const text = this.writer.render(this.d.meta(), this.d.tables());
      if (scrub) {
        this.backup = null;
        await writeBackup(this.file, text);
      } else if (this.backup !== null) {
        await writeBackup(this.file, this.backup);
        this.backup = null;
      }
      await this.writer.write(text);
    } catch (err) {
      throw new Error(`could not write the JSON store ${this.file}: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.requestLog.settled();
    await this.commit.close();
  }

  // Accounts and tokens ------------------------------------------------------------------

  async createAccount(a: Account): Promise<void> {
    const row = checkRecord('accounts', a);
    await this.commit.run((log) => this.d.accounts.insert(row, log));
  }
  async getAccount(id: string): Promise<Account | null> {
    const a = this.d.accounts.get(id);
    return a ? { ...a } : null;
  }
  async listAccounts(): Promise<Account[]> {
    return [...this.d.accounts.values()].sort(byId).map((a) => ({ ...a }));
  }
  async setAccountStatus(id: string, status: AccountStatus, now: number): Promise<Account | null> {
    return this.commit.run((log) => {
      const a = this.d.accounts.get(id);
      if (!a) return null;
      const next = { ...a, status, updatedAt: now };
      this.d.accounts.update(next, log);
      return { ...next };
    });
  }

  private tokenCopy = (t: ApiToken): ApiToken => ({ ...t, scopes: [...t.scopes] });

  async createToken(t: ApiToken): Promise<void> {
    const row = checkRecord('tokens', t);
    await this.commit.run((log) => this.d.insertToken(row, log));
  }
  async findTokenByHash(hash: string): Promise<ApiToken | null> {
    const t = this.d.tokens.find('hash', hash);
    return t ? this.tokenCopy(t) : null;
  }
  async listTokens(accountId: string): Promise<ApiToken[]> {
    return this.d.tokens.group('account', accountId).sort(byId).map(this.tokenCopy);
  }
  async revokeToken(accountId: string, id: string, now: number): Promise<boolean> {
    return this.commit.run((log) => {
      const t = this.d.tokens.get(id);
      if (!t || t.accountId !== accountId) return false;
      if (t.revokedAt === null) this.d.tokens.update({ ...t, revokedAt: now }, log);
      return true;
    });
  }
  async touchToken(id: string, now: number): Promise<void> {
    await this.commit.run((log) => {
      const t = this.d.tokens.get(id);
      if (t && t.lastUsedAt !== now) this.d.tokens.update({ ...t, lastUsedAt: now }, log);
    });
  }

  // Products and policies ----------------------------------------------------------------

  private productCopy = (p: Product): Product => ({ ...p, metadata: jsonCopy(p.metadata) });

  async createProduct(p: Product): Promise<void> {
    const row = checkRecord('products', p);
    await this.commit.run((log) => this.d.insertProduct(row, log));
  }
  async getProduct(accountId: string, idOrSlug: string): Promise<Product | null> {
    const p = this.d.product(accountId, idOrSlug) ?? this.d.products.find('slug', pair(accountId, idOrSlug));
    return p ? this.productCopy(p) : null;
  }
  async listProducts(accountId: string): Promise<Product[]> {
    return this.d.products.group('account', accountId).sort(byId).map(this.productCopy);
  }
  async updateProduct(accountId: string, id: string, patch: ProductPatch, now: number): Promise<Product | null> {
    return this.commit.run((log) => {
      const current = this.d.product(accountId, id);
      if (!current) return null;
      const next = checkRecord('products', { ...applyPatch(current, patch), updatedAt: now });
      this.d.products.update(next, log);
      return this.productCopy(next);
    });
  }
  async deleteProduct(accountId: string, id: string): Promise<'deleted' | 'not_found' | 'in_use'> {
    return this.commit.run((log) => {
      if (!this.d.product(accountId, id)) return 'not_found';
      if (this.d.licenses.group('product', id).length > 0) return 'in_use';
      for (const po of this.d.policies.group('product', id)) this.d.removePolicy(po.id, log);
      this.d.products.remove(id, log);
      return 'deleted';
    });
  }

  async createPolicy(po: Policy): Promise<void> {
    const row = checkRecord('policies', po);
    await this.commit.run((log) => this.d.insertPolicy(row, log));
  }
  async getPolicy(accountId: string, id: string): Promise<Policy | null> {
    const po = this.d.policies.get(id);
    return po && po.accountId === accountId ? { ...po } : null;
  }
  async listPolicies(accountId: string, productId?: string): Promise<Policy[]> {
    return this.d.policies.group('account', accountId).filter((po) => !productId || po.productId === productId)
      .sort(byId).map((po) => ({ ...po }));
  }
  async updatePolicy(accountId: string, id: string, patch: PolicyPatch, now: number): Promise<Policy | null> {
    return this.commit.run((log) => {
      const current = this.d.policies.get(id);
      if (!current || current.accountId !== accountId) return null;
      const next = checkRecord('policies', { ...applyPatch(current, patch), updatedAt: now });
      this.d.policies.update(next, log);
      return { ...next };
    });
  }
  async deletePolicy(accountId: string, id: string): Promise<boolean> {
    return this.commit.run((log) => {
      const po = this.d.policies.get(id);
      if (!po || po.accountId !== accountId) return false;
      this.d.removePolicy(id, log);
      return true;
    });
  }

  // Licenses ------------------------------------------------------------------------------

  private static stored(l: License): StoredLicense {
    const { productSlug: _slug, ...row } = l;
    return checkRecord('licenses', row);
  }

  async createLicense(l: License): Promise<void> {
    const row = JsonStore.stored(l);
    await this.commit.run((log) => this.d.insertLicense(row, log));
  }

  async importLicenses(rows: AsyncIterable<License>, onRow?: (count: number) => void): Promise<number> {
    // Every row is read and checked first, then all are stored in one change: an error in the
    // source or a duplicate key leaves the store (and the file) exactly as it was.
    const batch: StoredLicense[] = [];
    for await (const l of rows) {
      batch.push(JsonStore.stored(l));
      onRow?.(batch.length);
    }
    return this.commit.run((log) => {
      const digests = new Set<string>();
      for (const l of batch) {
        if (digests.has(l.keyDigest) || this.d.licenses.find('digest', l.keyDigest)) throw new StoreConflict('key');
        digests.add(l.keyDigest);
      }
      for (const l of batch) this.d.insertLicense(l, log);
      return batch.length;
    });
  }

  async findLicenseByDigest(digest: string): Promise<LicenseState | null> {
    const l = this.d.licenses.find('digest', digest);
    return l ? this.d.toState(l) : null;
  }

  async getLicense(accountId: string, id: string): Promise<License | null> {
    const l = this.d.license(accountId, id);
    return l ? this.d.toLicense(l) : null;
  }

  async listLicenses(accountId: string, q: LicenseQuery): Promise<{ items: License[]; nextCursor: string | null }> {
    const ids = this.d.licenses.ids();
    const email = q.email ? fold(q.email) : null;
    const text = q.q ? fold(q.q) : null;
    const matches = (l: StoredLicense): boolean => {
      if (l.accountId !== accountId) return false;
      if (q.productId && l.productId !== q.productId) return false;
      if (email !== null && (l.email === null || fold(l.email) !== email)) return false;
      const expired = l.expiresAt !== null && l.expiresAt <= q.now;
      if (q.status === 'expired' && !(l.status === 'active' && expired)) return false;
      if (q.status === 'active' && !(l.status === 'active' && !expired)) return false;
      if (q.status && q.status !== 'expired' && q.status !== 'active' && l.status !== q.status) return false;
      if (text !== null && q.q) {
        const like = (v: string | null) => v !== null && fold(v).includes(text);
        if (!(l.id === q.q || l.keyDigest === (q.qDigest ?? '') || like(l.email) || like(l.name))) return false;
      }
      return true;
    };
    const sort = q.sort ?? 'createdAt';
    const order = q.order ?? 'desc';
    const at = licensePosition(q);
    let found: StoredLicense[] = [];
    if (sort === 'createdAt') {
      // The id order is the table's: walk it from the cursor until the page (and one more) is full.
      if (order === 'desc') {
        for (let i = (at ? lowerBound(ids, at.id) : ids.length) - 1; i >= 0 && found.length <= q.limit; i--) {
          const l = this.d.licenses.get(ids[i]!)!;
          if (matches(l)) found.push(l);
        }
      } else {
        for (let i = at ? lowerBound(ids, at.id, true) : 0; i < ids.length && found.length <= q.limit; i++) {
          const l = this.d.licenses.get(ids[i]!)!;
          if (matches(l)) found.push(l);
        }
      }
    } else {
      // By expiry, in memory: the matching licenses past the cursor, sorted by (expiry, id).
      const sign = order === 'desc' ? -1 : 1;
      const cmp = (x: number, xid: string, y: number, yid: string): number =>
        sign * (x !== y ? (x < y ? -1 : 1) : xid < yid ? -1 : xid > yid ? 1 : 0);
      const compare = (a: StoredLicense, b: StoredLicense) => cmp(expirySortKey(a.expiresAt), a.id, expirySortKey(b.expiresAt), b.id);
      const past = (l: StoredLicense) => !at || cmp(expirySortKey(l.expiresAt), l.id, at.value, at.id) > 0;
      for (const id of ids) {
        const l = this.d.licenses.get(id)!;
        if (past(l) && matches(l)) found.push(l);
      }
      found = found.sort(compare).slice(0, q.limit + 1);
    }
    const items = found.slice(0, q.limit).map((l) => this.d.toLicense(l));
    const last = items[items.length - 1];
    const nextCursor = found.length > q.limit && last ? licenseCursor(sort, order, last) : null;
    return { items, nextCursor };
  }

  async *iterateLicenses(accountId: string | null, batchSize = 1000): AsyncIterable<License> {
    let after = '';
    for (;;) {
      // Each batch is taken at once: changes between batches are seen, as with SQLite's paging.
      const ids = this.d.licenses.ids();
      const batch: License[] = [];
      for (let i = lowerBound(ids, after, true); i < ids.length && batch.length < batchSize; i++) {
        const l = this.d.licenses.get(ids[i]!)!;
        if (accountId === null || l.accountId === accountId) batch.push(this.d.toLicense(l));
        after = l.id;
      }
      if (batch.length === 0) return;
      yield* batch;
    }
  }

  async modifyLicense(accountId: string, id: string, change: (l: License) => LicenseChange): Promise<License | null> {
    return this.commit.run((log) => {
      const row = this.d.license(accountId, id);
      if (!row) return null;
      const { license, ledger } = change(this.d.toLicense(row));
      const next: Record<string, unknown> = { ...row };
      for (const k of MODIFIABLE) next[k] = license[k];
      const checked = checkRecord('licenses', next);
      if (checked.policyId !== null && checked.policyId !== row.policyId) this.d.need(this.d.policies, checked.policyId, 'policy');
      this.d.licenses.update(checked, log);
      if (ledger) {
        this.d.ledger.insert({ id: ledger.id, licenseId: id, delta: ledger.delta, reason: ledger.reason, idempotencyKey: null, createdAt: license.updatedAt }, log);
      }
      return this.d.toLicense(checked);
    });
  }

  async deleteLicense(accountId: string, id: string): Promise<boolean> {
    return this.commit.run((log) => {
      if (!this.d.license(accountId, id)) return false;
      this.d.removeLicense(id, log);
      return true;
    });
  }

  // Activations ---------------------------------------------------------------------------

  private activeActivation(licenseId: string, by: ActivationIdentity): Activation | undefined {
    return 'domain' in by
      ? this.d.activations.find('domain', pair(licenseId, by.domain))
      : this.d.activations.find('device', pair(licenseId, by.device));
  }

  async findActivation(licenseId: string, by: ActivationIdentity): Promise<Activation | null> {
    const a = this.activeActivation(licenseId, by);
    return a ? { ...a } : null;
  }

  async activate(input: ActivateInput): Promise<ActivateOutcome> {
    return this.commit.run((log): ActivateOutcome => {
      const row = this.d.licenses.find('digest', input.digest);
      if (!row) return { kind: 'not_found' };
      const license = this.d.toState(row);
      const plan = input.plan(license);
      const by: ActivationIdentity = plan.domain !== null ? { domain: plan.domain } : { device: plan.device ?? '' };
      const existing = this.activeActivation(license.id, by);
      if (existing) return { kind: 'existing', activation: { ...existing }, license };
      if (!plan.development) {
        // The seat is counted in the serialised section: the limit holds whatever runs concurrently.
        if (row.maxActivations !== null && row.activationCount >= row.maxActivations) return { kind: 'limit', license };
        this.d.licenses.update({ ...row, activationCount: row.activationCount + 1 }, log);
        license.activationCount = row.activationCount + 1;
      }
      const activation: Activation = {
        id: input.id, licenseId: license.id, domain: plan.domain, device: plan.device, label: plan.label,
        development: plan.development, createdAt: input.now, lastSeenAt: input.now, deactivatedAt: null,
      };
      this.d.activations.insert(checkRecord('activations', activation), log);
      return { kind: 'created', activation, license };
    });
  }

  private deactivateRow(a: Activation, now: number, log: UndoLog): void {
    this.d.releaseSeat(a, log);
    this.d.activations.update({ ...a, deactivatedAt: now }, log);
  }

  async deactivate(digest: string, choose: (license: LicenseState) => ActivationIdentity, now: number): Promise<DeactivateOutcome> {
    return this.commit.run((log): DeactivateOutcome => {
      const row = this.d.licenses.find('digest', digest);
      if (!row) return { kind: 'not_found' };
      const license = this.d.toState(row);
      const a = this.activeActivation(license.id, choose(license));
      if (!a) return { kind: 'not_active' };
      this.deactivateRow(a, now, log);
      if (!a.development) license.activationCount = Math.max(0, license.activationCount - 1);
      return { kind: 'deactivated', activation: { ...a, deactivatedAt: now }, license };
    });
  }

  async deactivateById(accountId: string, activationId: string, now: number): Promise<boolean> {
    return this.commit.run((log) => {
      const a = this.d.activations.get(activationId);
      if (!a || a.deactivatedAt !== null || !this.d.license(accountId, a.licenseId)) return false;
      this.deactivateRow(a, now, log);
      return true;
    });
  }

  async resetActivations(accountId: string, licenseId: string, now: number): Promise<License | null> {
    return this.commit.run((log) => {
      const row = this.d.license(accountId, licenseId);
      if (!row) return null;
      for (const a of this.d.activations.group('license', licenseId)) {
        if (a.deactivatedAt === null) this.d.activations.update({ ...a, deactivatedAt: now }, log);
      }
      const next = { ...row, activationCount: 0, updatedAt: now };
      this.d.licenses.update(next, log);
      return this.d.toLicense(next);
    });
  }

  async listActivations(accountId: string, licenseId: string, includeInactive: boolean): Promise<Activation[] | null> {
    if (!this.d.license(accountId, licenseId)) return null;
    return this.d.activations.group('license', licenseId).filter((a) => includeInactive || a.deactivatedAt === null)
      .sort(byId).map((a) => ({ ...a }));
  }

  async touchActivations(ids: readonly string[], now: number): Promise<void> {
    await this.commit.run((log) => {
      for (const id of ids) {
        const a = this.d.activations.get(id);
        if (a && a.lastSeenAt < now) this.d.activations.update({ ...a, lastSeenAt: now }, log);
      }
    });
  }

  // Tokens --------------------------------------------------------------------------------

  async consume(input: ConsumeInput): Promise<ConsumeOutcome> {
    const { amount, idempotencyKey: idem, now } = input;
    return this.commit.run((log): ConsumeOutcome => {
      const row = this.d.licenses.find('digest', input.digest);
      if (!row) return { kind: 'not_found' };
      const prior = idem === null ? undefined : this.d.idempotency.get(pair(row.id, idem));
      const replay = prior ? replayOf({ ...prior, body: Buffer.from(prior.body, prior.bodyEncoding) }, amount, now) : null;
      if (replay) return replay;
      const license = this.d.toState(row);
      const refused = consumeRefusal(license, now);
      let response: StoredResponse;
      if (refused || row.tokensRemaining === null) {
        response = input.render({ kind: 'refused', code: refused ?? 'NO_TOKEN_BUDGET', license });
      } else if (row.tokensRemaining < amount) {
        response = input.render({ kind: 'refused', code: 'INSUFFICIENT_TOKENS', license });
      } else {
        const remaining = row.tokensRemaining - amount;
        this.d.licenses.update({ ...row, tokensRemaining: remaining, updatedAt: now }, log);
        this.d.ledger.insert({ id: input.ledgerId, licenseId: row.id, delta: -amount, reason: 'consume', idempotencyKey: idem, createdAt: now }, log);
        response = input.render({ kind: 'ok', license: { ...license, tokensRemaining: remaining }, consumed: amount });
      }
      if (idem !== null) {
        const entry: StoredIdempotency = { licenseId: row.id, key: idem, amount, status: response.status, ...encodeBody(response.body), createdAt: now };
        if (prior) this.d.idempotency.update(entry, log);
        else this.d.idempotency.insert(entry, log);
      }
      return { kind: 'answer', replayed: false, response };
    });
  }

  async purgeIdempotency(before: number): Promise<number> {
    return this.commit.run((log) => {
      let n = 0;
      for (const e of [...this.d.idempotency.values()]) {
        if (e.createdAt < before) {
          this.d.idempotency.remove(pair(e.licenseId, e.key), log);
          n++;
        }
      }
      return n;
    });
  }

  async rateLimitCounters(): Promise<null> {
    // One process owns the file: in-memory counters are exact.
    return null;
  }

  serialized<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  // Privacy -------------------------------------------------------------------------------

  /** Appended to the request log's own file: the store file is not rewritten for log entries. */
  async appendRequests(entries: readonly NewRequestLogEntry[]): Promise<void> {
    if (entries.length > 0) await this.requestLog.append(this.privacy.appendRequests(entries, []));
  }
  async listRequests(query: RequestLogQuery): Promise<RequestLogEntry[]> {
    return this.privacy.listRequests(query);
  }
  async requestCounts(accountId: string, licenseId: string): Promise<Array<{ action: RequestAction; code: string; count: number }>> {
    return this.privacy.requestCounts(accountId, licenseId);
  }
  async appendAudit(entry: NewAuditEntry, seal: (prevHash: string, seq: number) => string): Promise<AuditEntry> {
    return this.commit.run((log) => this.privacy.appendAudit(entry, seal, log));
  }
  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    return this.privacy.listAudit(query);
  }
  async auditAnchor(): Promise<AuditAnchor> {
    return { ...this.d.auditAnchor() };
  }
  async createSubjectRequest(request: SubjectRequest): Promise<void> {
    await this.commit.run((log) => this.privacy.createSubjectRequest(request, log));
  }
  async getSubjectRequest(accountId: string, id: string): Promise<SubjectRequest | null> {
    return this.privacy.getSubjectRequest(accountId, id);
  }
  async listSubjectRequests(query: SubjectRequestQuery): Promise<SubjectRequest[]> {
    return this.privacy.listSubjectRequests(query);
  }
  async completeSubjectRequest(accountId: string, id: string, now: number, artefact: Record<string, unknown>): Promise<SubjectRequest | null> {
    return this.commit.run((log) => this.privacy.completeSubjectRequest(accountId, id, now, artefact, log));
  }
  async findSubject(accountId: string | null, subject: Subject, digest: string): Promise<SubjectRecords> {
    return this.privacy.findSubject(accountId, subject, digest);
  }
  async eraseSubject(accountId: string | null, subject: Subject, digest: string, _now: number): Promise<ErasureCounts> {
    const counts = await this.commit.run((log) => {
      const counts = this.privacy.eraseSubject(accountId, subject, digest, log);
      this.scrubFiles(log);
      return counts;
    });
    if (counts.requests > 0) await this.requestLog.rewrite(() => this.d.requestRows());
    return counts;
  }
  async rectifySubject(accountId: string | null, email: string, change: { email?: string | undefined; name?: string | undefined }, now: number): Promise<number> {
    return this.commit.run((log) => {
      const n = this.privacy.rectifySubject(accountId, email, change, now, log);
      this.scrubFiles(log); // the old email and name must not stay behind in the backup either
      return n;
    });
  }
  async purge(cutoffs: PurgeCutoffs, batch: number, anonymise: (ip: string) => string): Promise<PurgeCounts> {
    const counts = await this.commit.run((log) => {
      const counts = this.privacy.purge(cutoffs, batch, anonymise, log);
      // Data past its retention period must not live on in the backup (which, in a server that
      // runs for months, would otherwise go back to its start).
      if (log.length > 0) this.scrubFiles(log);
      return counts;
    });
    if (counts.requests > 0 || counts.ipsAnonymised > 0) await this.requestLog.rewrite(() => this.d.requestRows());
    return counts;
  }
  async setAccountApiSuspended(accountId: string, suspendedAt: number | null): Promise<boolean> {
    return this.commit.run((log) => this.privacy.setAccountApiSuspended(accountId, suspendedAt, log));
  }

  /**
   * Makes this change's write rewrite the backup from the new state (see `persist`). It does so
   * even when the change found nothing in memory: the subject may still be in `.bak`, from
   * before it was deleted by other means. The no-op undo entry is what makes the queue write.
   */
  private scrubFiles(log: UndoLog): void {
    this.scrub = true;
    log.push(() => undefined);
  }

  // Migration, backup and restore ---------------------------------------------------------

  dump(): AsyncIterable<DumpRecord> {
    return dumpJson(this.d);
  }

  async counts(): Promise<Record<DumpKind, number>> {
    return countJson(this.d);
  }

  async restore(records: AsyncIterable<DumpRecord>, onRecord?: (n: number) => void): Promise<number> {
    const { data, count } = await fromDump(records, onRecord);
    const n = await this.commit.run((log) => {
      if (!this.d.isEmpty()) throw new Error('the target store is not empty: restore and migrate only fill an empty store');
      this.d.load(data, log, (table, i, err) => new Error(`record ${i + 1} of ${table}: ${(err as Error).message}`));
      return count;
    });
    await this.requestLog.rewrite(() => this.d.requestRows());
    return n;
  }
}
