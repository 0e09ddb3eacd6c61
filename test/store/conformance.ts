import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyVault } from '../../server/crypto/keys.js';
import { newId } from '../../server/domain/ids.js';
import type { Account, License, LicenseState, Product } from '../../server/domain/types.js';
import { StoreConflict, type ActivatedOutcome, type ConsumeDecision, type Store, type StoredResponse } from '../../server/store/store.js';

export interface StoreHandle {
  store: Store;
  /** Closes the store and removes what it made. */
  cleanup(): Promise<void>;
  /** The store calls ActivateInput.settled (an optional early look that SQLite gives). */
  callsSettled?: boolean;
}

const vault = new KeyVault(randomBytes(32), randomBytes(32));
const NOW = Date.parse('2026-06-01T12:00:00Z');

// The records the suite builds, for store tests of their own (one adapter's particulars).
export { account, product, license, NOW };
export const keyDigest = (key: string): string => vault.digest(key);

function account(operator = false): Account {
  return { id: newId('acc'), name: 'Test', status: 'active', operator, apiSuspendedAt: null, createdAt: NOW, updatedAt: NOW };
}
function product(accountId: string, slug: string): Product {
  return { id: newId('prd'), accountId, name: slug, slug, keyPrefix: null, metadata: {}, createdAt: NOW, updatedAt: NOW };
}
let counter = 0;
function license(p: Product, over: Partial<License> = {}): { key: string; license: License } {
  const key = `TEST-${++counter}-${randomBytes(8).toString('hex')}`;
  return {
    key,
    license: {
      id: newId('lic'), accountId: p.accountId, productId: p.id, productSlug: p.slug, policyId: null,
      keyDigest: vault.digest(key), keyEncrypted: vault.encrypt(key), status: 'active', expiresAt: null, durationDays: null,
      lock: 'none', maxActivations: null, activationCount: 0, tokensRemaining: null, tokensTotal: null, email: null,
      name: null, metadata: {}, createdAt: NOW, updatedAt: NOW, ...over,
    },
  };
}

const render = (d: ConsumeDecision): StoredResponse => ({
  status: d.kind === 'ok' ? 200 : 409,
  body: Buffer.from(JSON.stringify(d.kind === 'ok' ? { remaining: d.license.tokensRemaining } : { code: d.code })),
});
const consume = (store: Store, key: string, amount: number, idem: string | null = null) =>
  store.consume({ digest: vault.digest(key), amount, idempotencyKey: idem, ledgerId: newId('led'), now: NOW, render });
const plan = (domain: string, development = false) => (_l: LicenseState) => ({ domain, device: null, label: null, development });
const activate = (store: Store, key: string, domain: string, development = false) =>
  store.activate({ digest: vault.digest(key), id: newId('act'), now: NOW, plan: plan(domain, development) });

/**
 * The storage conformance suite: every adapter must pass it unchanged. `open` makes a fresh,
 * empty store each time it is called.
 */
export function describeStore(name: string, open: () => Promise<StoreHandle>): void {
  describe(`${name} store`, () => {
    let h: StoreHandle;
    let acc: Account;
    let prd: Product;
    beforeAll(async () => {
      h = await open();
      acc = account(true);
      await h.store.createAccount(acc);
      prd = product(acc.id, 'plugin');
      await h.store.createProduct(prd);
    });
    afterAll(async () => h.cleanup());

    it('stores accounts, tokens and products, and refuses a duplicate slug', async () => {
      const s = h.store;
      expect((await s.getAccount(acc.id))?.operator).toBe(true);
      expect((await s.listAccounts()).map((a) => a.id)).toContain(acc.id);
      expect((await s.setAccountStatus(acc.id, 'suspended', NOW + 1))?.status).toBe('suspended');
      await s.setAccountStatus(acc.id, 'active', NOW + 2);
      const tok = { id: newId('tok'), accountId: acc.id, name: 't', scopes: ['read' as const], hash: randomBytes(16).toString('hex'), createdAt: NOW, lastUsedAt: null, revokedAt: null };
      await s.createToken(tok);
      expect(await s.findTokenByHash(tok.hash)).toMatchObject({ id: tok.id, scopes: ['read'] });
      expect(await s.revokeToken(acc.id, tok.id, NOW + 3)).toBe(true);
      expect((await s.findTokenByHash(tok.hash))?.revokedAt).toBe(NOW + 3);
      await expect(s.createProduct(product(acc.id, 'plugin'))).rejects.toBeInstanceOf(StoreConflict);
      expect((await s.getProduct(acc.id, 'plugin'))?.id).toBe(prd.id);
      expect((await s.getProduct(acc.id, prd.id))?.slug).toBe('plugin');
      const other = account();
      await s.createAccount(other);
      expect(await s.getProduct(other.id, 'plugin')).toBeNull();
    });

    it('finds a license by digest with its account status, never with key material or personal data', async () => {
      const { key, license: l } = license(prd, { email: 'a@example.com', name: 'A', tokensRemaining: 5, tokensTotal: 5 });
      await h.store.createLicense(l);
      const state = await h.store.findLicenseByDigest(vault.digest(key.toLowerCase()));
      expect(state).toMatchObject({ id: l.id, productSlug: 'plugin', accountStatus: 'active', tokensRemaining: 5 });
      expect(state).not.toHaveProperty('email');
      expect(state).not.toHaveProperty('keyEncrypted');
      expect(await h.store.findLicenseByDigest(vault.digest('nope'))).toBeNull();
      await expect(h.store.createLicense({ ...l, id: newId('lic') })).rejects.toBeInstanceOf(StoreConflict);
      const full = await h.store.getLicense(acc.id, l.id);
      expect(vault.decrypt(full!.keyEncrypted)).toBe(key);
    });

    it('modifies a license atomically, and a throwing change writes nothing', async () => {
      const { license: l } = license(prd);
      await h.store.createLicense(l);
      const changed = await h.store.modifyLicense(acc.id, l.id, (cur) => ({ license: { ...cur, status: 'suspended', updatedAt: NOW + 5 } }));
      expect(changed?.status).toBe('suspended');
      await expect(h.store.modifyLicense(acc.id, l.id, () => { throw new Error('no'); })).rejects.toThrow('no');
      expect((await h.store.getLicense(acc.id, l.id))?.status).toBe('suspended');
      expect(await h.store.modifyLicense('acc_other', l.id, (cur) => ({ license: cur }))).toBeNull();
    });

    it('lists licenses newest first with filters and a cursor', async () => {
      const p2 = product(acc.id, 'listing');
      await h.store.createProduct(p2);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { license: l } = license(p2, { id: newId('lic', NOW + i), email: i % 2 ? 'odd@example.com' : 'even@example.com', status: i === 0 ? 'revoked' : 'active' });
        await h.store.createLicense(l);
        ids.push(l.id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await h.store.listLicenses(acc.id, { productId: p2.id, limit: 2, cursor, now: NOW });
        seen.push(...page.items.map((l) => l.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual([...ids].reverse());
      expect((await h.store.listLicenses(acc.id, { productId: p2.id, email: 'ODD@example.com', limit: 10, now: NOW })).items).toHaveLength(2);
      expect((await h.store.listLicenses(acc.id, { productId: p2.id, status: 'revoked', limit: 10, now: NOW })).items.map((l) => l.id)).toEqual([ids[0]]);
      const iterated: string[] = [];
      for await (const l of h.store.iterateLicenses(acc.id, 2)) if (l.productId === p2.id) iterated.push(l.id);
      expect(iterated).toEqual(ids);
    });

    it('sorts the list by creation or expiry, both ways, and pages through it with the cursor', async () => {
      const p4 = product(acc.id, 'sorting');
      await h.store.createProduct(p4);
      // Ties on both keys (same millisecond, same expiry) and licenses that never expire.
      const spec: [number, number | null][] = [[0, 100], [1, null], [1, 50], [2, 100], [3, null], [3, 50], [4, 10], [5, 100]];
      const made: License[] = [];
      for (const [t, e] of spec) {
        const { license: l } = license(p4, { id: newId('lic', NOW + t), createdAt: NOW + t, expiresAt: e === null ? null : NOW + e });
        await h.store.createLicense(l);
        made.push(l);
      }
      const keyOf = (l: License, sort: 'createdAt' | 'expiresAt') => (sort === 'createdAt' ? l.createdAt : (l.expiresAt ?? Infinity));
      for (const sort of ['createdAt', 'expiresAt'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const sign = order === 'asc' ? 1 : -1;
          const expected = [...made].sort((a, b) => {
            const x = keyOf(a, sort);
            const y = keyOf(b, sort);
            return sign * (x !== y ? (x < y ? -1 : 1) : a.id < b.id ? -1 : 1);
          }).map((l) => l.id);
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages < 10; pages++) {
            const page = await h.store.listLicenses(acc.id, { productId: p4.id, sort, order, limit: 2, cursor, now: NOW });
            seen.push(...page.items.map((l) => l.id));
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          expect(seen, `${sort} ${order}`).toEqual(expected);
        }
      }
      // Without a sort the order is the same as createdAt, desc, cursors included.
      const first = await h.store.listLicenses(acc.id, { productId: p4.id, limit: 3, now: NOW });
      const same = await h.store.listLicenses(acc.id, { productId: p4.id, sort: 'createdAt', order: 'desc', limit: 3, now: NOW });
      expect(same).toEqual(first);
      // A cursor of one sort or order is refused by another.
      const byExpiry = await h.store.listLicenses(acc.id, { productId: p4.id, sort: 'expiresAt', limit: 2, now: NOW });
      await expect(h.store.listLicenses(acc.id, { productId: p4.id, limit: 2, cursor: byExpiry.nextCursor!, now: NOW })).rejects.toThrow();
      await expect(h.store.listLicenses(acc.id, { productId: p4.id, sort: 'expiresAt', order: 'asc', limit: 2, cursor: byExpiry.nextCursor!, now: NOW }))
        .rejects.toThrow();
      await expect(h.store.listLicenses(acc.id, { productId: p4.id, sort: 'expiresAt', limit: 2, cursor: first.nextCursor!, now: NOW }))
        .rejects.toThrow();
      // Filters apply before the sort: the expired ones, soonest first.
      const expired = await h.store.listLicenses(acc.id, { productId: p4.id, status: 'expired', sort: 'expiresAt', order: 'asc', limit: 10, now: NOW + 60 });
      expect(expired.items.map((l) => l.expiresAt)).toEqual([NOW + 10, NOW + 50, NOW + 50]);
    });

    it('imports all or nothing', async () => {
      const p3 = product(acc.id, 'imports');
      await h.store.createProduct(p3);
      const good = [license(p3).license, license(p3).license];
      async function* rows(list: License[], failAt = -1) {
        for (let i = 0; i < list.length; i++) {
          if (i === failAt) throw new Error('bad row');
          yield list[i]!;
        }
      }
      await expect(h.store.importLicenses(rows([...good, license(p3).license], 2))).rejects.toThrow('bad row');
      expect((await h.store.listLicenses(acc.id, { productId: p3.id, limit: 10, now: NOW })).items).toHaveLength(0);
      const dup = { ...good[0]!, id: newId('lic') };
      await expect(h.store.importLicenses(rows([...good, dup]))).rejects.toBeInstanceOf(StoreConflict);
      expect((await h.store.listLicenses(acc.id, { productId: p3.id, limit: 10, now: NOW })).items).toHaveLength(0);
      expect(await h.store.importLicenses(rows(good))).toBe(2);
    });

    it('activates idempotently, enforces seats, ignores development hosts and frees seats', async () => {
      const { key, license: l } = license(prd, { lock: 'domain', maxActivations: 2 });
      await h.store.createLicense(l);
      expect((await activate(h.store, key, 'a.com')).kind).toBe('created');
      expect((await activate(h.store, key, 'a.com')).kind).toBe('existing');
      expect((await activate(h.store, key, 'b.com')).kind).toBe('created');
      const over = await activate(h.store, key, 'c.com');
      expect(over.kind).toBe('limit');
      expect((await activate(h.store, key, 'site.local', true)).kind).toBe('created');
      expect((await h.store.findLicenseByDigest(l.keyDigest))?.activationCount).toBe(2);
      const d = await h.store.deactivate(l.keyDigest, () => ({ domain: 'a.com' }), NOW);
      expect(d.kind).toBe('deactivated');
      expect((await h.store.deactivate(l.keyDigest, () => ({ domain: 'a.com' }), NOW)).kind).toBe('not_active');
      expect((await activate(h.store, key, 'c.com')).kind).toBe('created');
      expect(await h.store.listActivations(acc.id, l.id, false)).toHaveLength(3);
      expect(await h.store.listActivations(acc.id, l.id, true)).toHaveLength(4);
      const reset = await h.store.resetActivations(acc.id, l.id, NOW);
      expect(reset?.activationCount).toBe(0);
      expect(await h.store.listActivations(acc.id, l.id, false)).toHaveLength(0);
      await expect(h.store.activate({ digest: l.keyDigest, id: newId('act'), now: NOW, plan: () => { throw new Error('refused'); } }))
        .rejects.toThrow('refused');
      expect(await h.store.listActivations(acc.id, l.id, false)).toHaveLength(0);
    });

    it('gives an early look (settled) only at what the activation then resolves to', async () => {
      const { key, license: l } = license(prd, { lock: 'domain', maxActivations: 1 });
      await h.store.createLicense(l);
      const seen: ActivatedOutcome[] = [];
      const run = (domain: string) =>
        h.store.activate({ digest: vault.digest(key), id: newId('act'), now: NOW, plan: plan(domain), settled: (o) => seen.push(o) });
      const outcomes = [await run('a.com'), await run('a.com'), await run('b.com')];
      expect(outcomes.map((o) => o.kind)).toEqual(['created', 'existing', 'limit']);
      // Optional for a store; one that calls it does so once per created or existing activation.
      if (h.callsSettled) expect(seen).toHaveLength(2);
      seen.forEach((o, i) => {
        const final = outcomes[i]!;
        expect(final.kind === 'created' || final.kind === 'existing').toBe(true);
        if (final.kind !== 'created' && final.kind !== 'existing') return;
        expect([o.kind, o.activation.id, o.license.activationCount]).toEqual([final.kind, final.activation.id, final.license.activationCount]);
      });
    });

    it('gives an early look (settled) only at the very answer a consume then resolves to', async () => {
      const { key, license: l } = license(prd, { tokensTotal: 5, tokensRemaining: 5 });
      await h.store.createLicense(l);
      const seen: StoredResponse[] = [];
      const run = (amount: number, idem: string | null) => h.store.consume({
        digest: vault.digest(key), amount, idempotencyKey: idem, ledgerId: newId('led'), now: NOW, render, settled: (r) => seen.push(r),
      });
      const first = await run(2, 'early-1');
      const replay = await run(2, 'early-1');
      const refused = await run(9, null);
      if (first.kind !== 'answer' || replay.kind !== 'answer' || refused.kind !== 'answer') throw new Error('expected answers');
      expect([first.replayed, replay.replayed, refused.response.status]).toEqual([false, true, 409]);
      // A replay is read back from the store: there is nothing to look at early.
      if (h.callsSettled) expect(seen).toEqual([first.response, refused.response]);
      for (const r of seen) expect([first.response, refused.response]).toContain(r);
      if (h.callsSettled) expect(seen[0]).toBe(first.response);
    });

    it('50 simultaneous activations of different domains on a 3-seat key make exactly 3', async () => {
      const { key, license: l } = license(prd, { lock: 'domain', maxActivations: 3 });
      await h.store.createLicense(l);
      const out = await Promise.all(Array.from({ length: 50 }, (_, i) => activate(h.store, key, `d${i}.com`)));
      expect(out.filter((o) => o.kind === 'created')).toHaveLength(3);
      expect(out.filter((o) => o.kind === 'limit')).toHaveLength(47);
      expect((await h.store.findLicenseByDigest(l.keyDigest))?.activationCount).toBe(3);
      expect(await h.store.listActivations(acc.id, l.id, false)).toHaveLength(3);
    });

    it('200 simultaneous consumes of 1 on a 100-token key: exactly 100 succeed and 0 remain', async () => {
      const { key, license: l } = license(prd, { tokensRemaining: 100, tokensTotal: 100 });
      await h.store.createLicense(l);
      const out = await Promise.all(Array.from({ length: 200 }, () => consume(h.store, key, 1)));
      const statuses = out.map((o) => (o.kind === 'answer' ? o.response.status : 0));
      expect(statuses.filter((c) => c === 200)).toHaveLength(100);
      expect(statuses.filter((c) => c === 409)).toHaveLength(100);
      expect((await h.store.findLicenseByDigest(l.keyDigest))?.tokensRemaining).toBe(0);
    });

    it('answers a repeated idempotency key with the stored answer, even in parallel, and spots another amount', async () => {
      const { key, license: l } = license(prd, { tokensRemaining: 50, tokensTotal: 50 });
      await h.store.createLicense(l);
      const out = await Promise.all(Array.from({ length: 20 }, () => consume(h.store, key, 7, 'job')));
      const bodies = out.map((o) => (o.kind === 'answer' ? o.response.body.toString() : o.kind));
      expect(new Set(bodies)).toEqual(new Set([JSON.stringify({ remaining: 43 })]));
      expect(out.filter((o) => o.kind === 'answer' && !o.replayed)).toHaveLength(1);
      expect((await consume(h.store, key, 8, 'job')).kind).toBe('mismatch');
      expect((await h.store.findLicenseByDigest(l.keyDigest))?.tokensRemaining).toBe(43);
      expect((await consume(h.store, 'no-such-key', 1)).kind).toBe('not_found');
      expect(await h.store.purgeIdempotency(NOW + 1)).toBeGreaterThanOrEqual(1);
      const again = await consume(h.store, key, 7, 'job');
      expect(again.kind === 'answer' && again.response.body.toString()).toBe(JSON.stringify({ remaining: 36 }));
    });

    it('refuses to consume from revoked, suspended, expired and budget-less licenses', async () => {
      const cases: Array<[Partial<License>, string]> = [
        [{ status: 'revoked', tokensRemaining: 5, tokensTotal: 5 }, 'REVOKED'],
        [{ status: 'suspended', tokensRemaining: 5, tokensTotal: 5 }, 'SUSPENDED'],
        [{ expiresAt: NOW - 1, tokensRemaining: 5, tokensTotal: 5 }, 'EXPIRED'],
        [{}, 'NO_TOKEN_BUDGET'],
        [{ tokensRemaining: 1, tokensTotal: 1 }, 'INSUFFICIENT_TOKENS'],
      ];
      for (const [over, code] of cases) {
        const { key, license: l } = license(prd, over);
        await h.store.createLicense(l);
        const o = await consume(h.store, key, 2);
        expect(o.kind === 'answer' && JSON.parse(o.response.body.toString()).code).toBe(code);
      }
    });

    it('deletes a license with its activations, and a product only when unused', async () => {
      const p4 = product(acc.id, 'deletable');
      await h.store.createProduct(p4);
      const { key, license: l } = license(p4, { lock: 'domain' });
      await h.store.createLicense(l);
      await activate(h.store, key, 'x.com');
      expect(await h.store.deleteProduct(acc.id, p4.id)).toBe('in_use');
      expect(await h.store.deleteLicense(acc.id, l.id)).toBe(true);
      expect(await h.store.findLicenseByDigest(l.keyDigest)).toBeNull();
      expect(await h.store.deleteProduct(acc.id, p4.id)).toBe('deleted');
      expect(await h.store.deleteProduct(acc.id, p4.id)).toBe('not_found');
    });
  });
}
