import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyVault } from '../../server/crypto/keys.js';
import { newId } from '../../server/domain/ids.js';
import type { Account, License, Product } from '../../server/domain/types.js';
import { summarize } from '../../server/store/dump.js';
import { AUDIT_GENESIS, type NewRequestLogEntry, type Subject, type SubjectRequest } from '../../server/store/privacy.js';
import type { Store } from '../../server/store/store.js';

export interface PrivacyStoreHandle {
  store: Store;
  /** Whether any file (or, for PostgreSQL, any dumped row) of the store holds these bytes. */
  rawContains(text: string): Promise<boolean>;
  cleanup(): Promise<void>;
}

const vault = new KeyVault(randomBytes(32), randomBytes(32));
const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const seal = (prev: string, seq: number) => sha(`${prev}|${seq}`);
const digestOf = (s: Subject) => vault.digest(`${s.kind}:${s.value}`);

function account(): Account {
  return { id: newId('acc'), name: 'Privacy', status: 'active', operator: false, apiSuspendedAt: null, createdAt: NOW, updatedAt: NOW };
}
function license(p: Product, over: Partial<License> = {}): { key: string; license: License } {
  const key = `PRIV-${randomBytes(10).toString('hex')}`;
  return {
    key,
    license: {
      id: newId('lic'), accountId: p.accountId, productId: p.id, productSlug: p.slug, policyId: null,
      keyDigest: vault.digest(key), keyEncrypted: vault.encrypt(key), status: 'active', expiresAt: null, durationDays: null,
      lock: 'domain', maxActivations: 3, activationCount: 0, tokensRemaining: 10, tokensTotal: 10, email: null,
      name: null, metadata: {}, createdAt: NOW, updatedAt: NOW, ...over,
    },
  };
}
function request(over: Partial<NewRequestLogEntry>): NewRequestLogEntry {
  return {
    at: NOW, accountId: null, licenseId: null, action: 'validate', code: 'VALID', status: 200, ip: '203.0.113.9',
    domain: null, device: null, tokens: null, latencyMs: 1, ...over,
  };
}
function subjectRequest(accountId: string, subject: Subject, receivedAt: number): SubjectRequest {
  return {
    id: newId('dsr', receivedAt), accountId, kind: 'erase', subjectKind: subject.kind, subjectDigest: digestOf(subject),
    subjectEncrypted: vault.encrypt(subject.value), receivedAt, dueAt: receivedAt + 30 * DAY, instruction: 'Erase on request of the controller',
    status: 'open', completedAt: null, artefact: null, createdAt: receivedAt,
  };
}

/** The privacy part of the storage conformance suite: every adapter passes it unchanged. */
export function describePrivacyStore(name: string, open: () => Promise<PrivacyStoreHandle>): void {
  describe(`${name} store: privacy`, () => {
    let h: PrivacyStoreHandle;
    let acc: Account;
    let prd: Product;
    beforeAll(async () => {
      h = await open();
      acc = account();
      await h.store.createAccount(acc);
      prd = { id: newId('prd'), accountId: acc.id, name: 'P', slug: 'p', keyPrefix: null, metadata: {}, createdAt: NOW, updatedAt: NOW };
      await h.store.createProduct(prd);
    });
    afterAll(async () => h.cleanup());

    it('logs requests and lists them newest first, filtered and paged, with counts per action and code', async () => {
      const { license: l } = license(prd);
      await h.store.createLicense(l);
      const base = { accountId: acc.id, licenseId: l.id };
      await h.store.appendRequests([
        request({ ...base, at: NOW + 1, action: 'activate', code: 'OK', domain: 'shop.example' }),
        request({ ...base, at: NOW + 2 }),
        request({ ...base, at: NOW + 3, code: 'NOT_ACTIVATED', status: 200, ip: '198.51.100.7' }),
        request({ ...base, at: NOW + 4, action: 'consume', code: 'OK', tokens: 3 }),
      ]);
      await h.store.appendRequests([request({ at: NOW + 5, code: 'NOT_FOUND', status: 404 })]);
      const all = await h.store.listRequests({ accountId: acc.id, licenseId: l.id, limit: 10 });
      expect(all.map((r) => r.at)).toEqual([NOW + 4, NOW + 3, NOW + 2, NOW + 1]);
      expect(all[0]).toMatchObject({ action: 'consume', tokens: 3, accountId: acc.id, licenseId: l.id, ip: '203.0.113.9' });
      const page1 = await h.store.listRequests({ accountId: acc.id, licenseId: l.id, limit: 3 });
      const page2 = await h.store.listRequests({ accountId: acc.id, licenseId: l.id, limit: 3, before: page1[2]!.seq });
      expect([...page1, ...page2].map((r) => r.seq)).toEqual(all.map((r) => r.seq));
      expect((await h.store.listRequests({ accountId: acc.id, ip: '198.51.100.7', limit: 10 })).map((r) => r.code)).toEqual(['NOT_ACTIVATED']);
      expect((await h.store.listRequests({ accountId: acc.id, action: 'activate', limit: 10 })).map((r) => r.domain)).toEqual(['shop.example']);
      expect((await h.store.listRequests({ accountId: acc.id, from: NOW + 2, to: NOW + 4, limit: 10 })).map((r) => r.at)).toEqual([NOW + 3, NOW + 2]);
      // A request that found no license belongs to no account: only the operator's view (null) sees it.
      expect((await h.store.listRequests({ accountId: null, code: 'NOT_FOUND', limit: 10 })).length).toBeGreaterThanOrEqual(1);
      expect(await h.store.listRequests({ accountId: acc.id, code: 'NOT_FOUND', limit: 10 })).toEqual([]);
      const counts = await h.store.requestCounts(acc.id, l.id);
      expect(counts.sort((a, b) => `${a.action}${a.code}`.localeCompare(`${b.action}${b.code}`))).toEqual([
        { action: 'activate', code: 'OK', count: 1 }, { action: 'consume', code: 'OK', count: 1 },
        { action: 'validate', code: 'NOT_ACTIVATED', count: 1 }, { action: 'validate', code: 'VALID', count: 1 },
      ]);
    });

    it('chains audit entries: each seals the previous hash, even when appended at once', async () => {
      expect(await h.store.auditAnchor()).toEqual(AUDIT_GENESIS);
      const entries = await Promise.all(Array.from({ length: 20 }, (_, i) => h.store.appendAudit({
        at: NOW + i, accountId: acc.id, actor: 'tok_a', action: 'license.create', target: `lic_${i}`,
        ip: '192.0.2.1', ipSalt: 'aa', ipCommit: sha('aa|192.0.2.1'), detail: { n: i },
      }, seal)));
      const listed = await h.store.listAudit({ limit: 100 });
      expect(listed.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      let prev = AUDIT_GENESIS.hash;
      for (const e of listed) {
        expect(e.prevHash).toBe(prev);
        expect(e.hash).toBe(seal(prev, e.seq));
        prev = e.hash;
      }
      expect(new Set(entries.map((e) => e.seq)).size).toBe(20);
      expect(listed[3]).toMatchObject({ accountId: acc.id, actor: 'tok_a', ip: '192.0.2.1', detail: { n: expect.any(Number) } });
      expect((await h.store.listAudit({ afterSeq: 18, limit: 10 })).map((e) => e.seq)).toEqual([19, 20]);
      expect((await h.store.listAudit({ from: NOW + 5, to: NOW + 7, limit: 10 })).map((e) => e.at)).toEqual([NOW + 5, NOW + 6]);
      expect(await h.store.listAudit({ actor: 'tok_other', limit: 10 })).toEqual([]);
      expect((await h.store.listAudit({ ip: '192.0.2.1', accountId: acc.id, limit: 5 })).length).toBe(5);
    });

    it('keeps data-subject requests with due dates, lists the overdue ones and completes them', async () => {
      const s: Subject = { kind: 'email', value: 'dsr@example.com' };
      const old = subjectRequest(acc.id, s, NOW - 40 * DAY);
      const fresh = subjectRequest(acc.id, s, NOW - DAY);
      await h.store.createSubjectRequest(old);
      await h.store.createSubjectRequest(fresh);
      expect((await h.store.getSubjectRequest(acc.id, old.id))?.subjectEncrypted).toBe(old.subjectEncrypted);
      expect(await h.store.getSubjectRequest('acc_else', old.id)).toBeNull();
      expect((await h.store.listSubjectRequests({ accountId: acc.id, status: 'open', dueBefore: NOW, limit: 10 })).map((r) => r.id)).toEqual([old.id]);
      const done = await h.store.completeSubjectRequest(acc.id, old.id, NOW, { removed: 2 });
      expect(done).toMatchObject({ status: 'completed', completedAt: NOW, artefact: { removed: 2 } });
      expect(await h.store.listSubjectRequests({ accountId: acc.id, status: 'open', dueBefore: NOW, limit: 10 })).toEqual([]);
      const both = await h.store.listSubjectRequests({ accountId: acc.id, limit: 1 });
      const next = await h.store.listSubjectRequests({ accountId: acc.id, limit: 10, after: both[0]!.id });
      expect([...both, ...next].map((r) => r.id).sort()).toEqual([old.id, fresh.id].sort());
    });

    it('finds everything about an email and erases it, leaving no trace in the store\'s files', async () => {
      const email = `erase-${randomBytes(4).toString('hex')}@example.org`;
      const subject: Subject = { kind: 'email', value: email };
      const { key, license: l } = license(prd, { email, name: 'Erin Erasable' });
      const { license: keep } = license(prd, { email: 'keep@example.com' });
      await h.store.createLicense(l);
      await h.store.createLicense(keep);
      await h.store.activate({ digest: l.keyDigest, id: newId('act'), now: NOW, plan: () => ({ domain: 'erin.example', device: null, label: 'Erin', development: false }) });
      await h.store.consume({ digest: l.keyDigest, amount: 2, idempotencyKey: 'j', ledgerId: newId('led'), now: NOW,
        render: () => ({ status: 200, body: Buffer.from('{}') }) });
      await h.store.appendRequests([request({ accountId: acc.id, licenseId: l.id, ip: '192.0.2.77' })]);
      await h.store.createSubjectRequest(subjectRequest(acc.id, subject, NOW));
      await h.store.appendAudit({ at: NOW, accountId: acc.id, actor: 'tok_a', action: 'license.update', target: l.id, ip: null, ipSalt: null, ipCommit: null, detail: {} }, seal);

      const found = await h.store.findSubject(acc.id, { kind: 'email', value: email.toUpperCase().toLowerCase() }, digestOf(subject));
      expect(found.licenses.map((x) => x.id)).toEqual([l.id]);
      expect(found.activations.map((a) => a.domain)).toEqual(['erin.example']);
      expect(found.ledger.length).toBe(2);
      expect(found.requests.map((r) => r.ip)).toEqual(['192.0.2.77']);
      expect(found.audit.map((a) => a.target)).toEqual([l.id]);
      expect(found.subjectRequests.length).toBe(1);
      expect((await h.store.findSubject('acc_else', subject, digestOf(subject))).licenses).toEqual([]);
      expect(await h.rawContains(email)).toBe(true);

      const counts = await h.store.eraseSubject(acc.id, subject, digestOf(subject), NOW + 1);
      expect(counts).toMatchObject({ licenses: 1, activations: 1, ledger: 2, requests: 1, subjectRequestsRedacted: 1 });
      expect(await h.store.findLicenseByDigest(vault.digest(key))).toBeNull();
      expect(await h.store.getLicense(acc.id, keep.id)).not.toBeNull();
      const after = await h.store.findSubject(acc.id, subject, digestOf(subject));
      expect(after.licenses).toEqual([]);
      expect(after.subjectRequests[0]?.subjectEncrypted).toBeNull();
      expect(await h.rawContains(email)).toBe(false);
      expect(await h.rawContains('Erin Erasable')).toBe(false);
      expect(await h.rawContains('keep@example.com')).toBe(true);
    });

    it('erases a domain, a device and an IP wherever they appear, freeing seats', async () => {
      const domain = `gone-${randomBytes(3).toString('hex')}.example`;
      const device = '8f14e45f-ceea-467a-9575-0f2a7c1d2b3e';
      const ip = '198.51.100.201';
      const { license: l } = license(prd);
      const { license: d } = license(prd, { lock: 'device' });
      await h.store.createLicense(l);
      await h.store.createLicense(d);
      await h.store.activate({ digest: l.keyDigest, id: newId('act'), now: NOW, plan: () => ({ domain, device: null, label: null, development: false }) });
      await h.store.activate({ digest: d.keyDigest, id: newId('act'), now: NOW, plan: () => ({ domain: null, device, label: 'Laptop', development: false }) });
      await h.store.appendRequests([
        request({ accountId: acc.id, licenseId: l.id, domain, ip: '192.0.2.50' }),
        request({ accountId: acc.id, licenseId: d.id, device, ip }),
      ]);
      await h.store.appendAudit({ at: NOW, accountId: acc.id, actor: 'tok_b', action: 'token.create', target: null, ip, ipSalt: 'bb', ipCommit: sha(`bb|${ip}`), detail: {} }, seal);

      const byDomain = await h.store.findSubject(acc.id, { kind: 'domain', value: domain }, 'x');
      expect(byDomain.activations.length).toBe(1);
      expect(byDomain.requests.length).toBe(1);
      const e1 = await h.store.eraseSubject(acc.id, { kind: 'domain', value: domain }, 'x', NOW);
      expect(e1).toMatchObject({ licenses: 0, activations: 1, requests: 1 });
      expect((await h.store.getLicense(acc.id, l.id))?.activationCount).toBe(0);

      const e2 = await h.store.eraseSubject(acc.id, { kind: 'device', value: device }, 'y', NOW);
      expect(e2).toMatchObject({ activations: 1, requests: 1 });
      expect((await h.store.getLicense(acc.id, d.id))?.activationCount).toBe(0);

      await h.store.appendRequests([request({ accountId: acc.id, licenseId: l.id, ip })]);
      const byIp = await h.store.findSubject(null, { kind: 'ip', value: ip }, 'z');
      expect(byIp.requests.length).toBe(1);
      expect(byIp.audit.length).toBe(1);
      const e3 = await h.store.eraseSubject(null, { kind: 'ip', value: ip }, 'z', NOW);
      expect(e3).toMatchObject({ requests: 1, auditRedacted: 1 });
      const audit = await h.store.listAudit({ actor: 'tok_b', limit: 5 });
      expect(audit[0]).toMatchObject({ ip: null, ipSalt: null, ipCommit: sha(`bb|${ip}`) });
      for (const s of [domain, device, ip]) expect(await h.rawContains(s)).toBe(false);
    });

    it('matches an email whatever its case, accented capitals included', async () => {
      const { license: l } = license(prd, { email: 'ÉLISE.Ünal@Example.COM' });
      await h.store.createLicense(l);
      const subject: Subject = { kind: 'email', value: 'élise.ünal@example.com' };
      expect((await h.store.findSubject(acc.id, subject, digestOf(subject))).licenses.map((x) => x.id)).toEqual([l.id]);
      expect(await h.store.rectifySubject(acc.id, 'élise.ünal@example.com', { name: 'Élise' }, NOW)).toBe(1);
    });

    it('rectifies the licensee email and name of an email\'s licenses', async () => {
      const { license: l } = license(prd, { email: 'old@example.net', name: 'Old Name' });
      await h.store.createLicense(l);
      expect(await h.store.rectifySubject(acc.id, 'old@example.net', { email: 'new@example.net', name: 'New Name' }, NOW + 9)).toBe(1);
      expect(await h.store.getLicense(acc.id, l.id)).toMatchObject({ email: 'new@example.net', name: 'New Name', updatedAt: NOW + 9 });
      expect(await h.store.rectifySubject('acc_else', 'new@example.net', { name: 'X' }, NOW)).toBe(0);
    });

    it('purges by retention period in batches, anonymising IPs and moving the audit anchor', async () => {
      const old = NOW - 400 * DAY;
      const { license: expired } = license(prd, { expiresAt: old, email: 'expired@example.com' });
      const { license: live } = license(prd);
      await h.store.createLicense(expired);
      await h.store.createLicense(live);
      const act = await h.store.activate({ digest: live.keyDigest, id: newId('act'), now: old, plan: () => ({ domain: 'old.example', device: null, label: null, development: false }) });
      if (act.kind !== 'created') throw new Error('activation failed');
      await h.store.deactivateById(acc.id, act.activation.id, old);
      await h.store.appendRequests([
        request({ at: old, accountId: acc.id, licenseId: live.id, ip: '203.0.113.50' }),
        request({ at: NOW - 20 * DAY, accountId: acc.id, licenseId: live.id, ip: '203.0.113.51' }),
        request({ at: NOW - 20 * DAY, accountId: acc.id, licenseId: live.id, ip: '2001:db8:1:2:3:4:5:6' }),
        request({ at: NOW - 20 * DAY, accountId: acc.id, licenseId: live.id, ip: '203.0.113.52' }),
        request({ at: NOW - DAY, accountId: acc.id, licenseId: live.id, ip: '203.0.113.53' }),
      ]);
      const auditBefore = await h.store.listAudit({ limit: 1000 });
      const cutoffs = {
        requestLogBefore: NOW - 90 * DAY, ipBefore: NOW - 14 * DAY, auditBefore: NOW + DAY,
        deactivatedBefore: NOW - 90 * DAY, expiredBefore: NOW - 365 * DAY,
      };
      const anon = (ip: string) => (ip.includes(':') ? '2001:db8:1:2::' : ip.replace(/\.\d+$/, '.0'));
      const first = await h.store.purge(cutoffs, 2, anon);
      expect(first.ipsAnonymised).toBe(2);
      const total = { ...first };
      for (let i = 0; i < 100; i++) {
        const c = await h.store.purge(cutoffs, 2, anon);
        if (Object.values(c).every((n) => n === 0)) break;
        for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += c[k];
      }
      expect(total).toMatchObject({ requests: 1, ipsAnonymised: 3, activations: 1, licenses: 1, audit: auditBefore.length });
      const rows = await h.store.listRequests({ accountId: acc.id, licenseId: live.id, limit: 10 });
      expect(rows.map((r) => r.ip).sort()).toEqual(['2001:db8:1:2::', '203.0.113.0', '203.0.113.0', '203.0.113.53']);
      expect(await h.store.getLicense(acc.id, expired.id)).toBeNull();
      expect(await h.store.listActivations(acc.id, live.id, true)).toEqual([]);
      expect(await h.store.auditAnchor()).toEqual({ seq: auditBefore.at(-1)!.seq, hash: auditBefore.at(-1)!.hash });
      expect(await h.store.listAudit({ limit: 10 })).toEqual([]);
      const next = await h.store.appendAudit({ at: NOW + 2, accountId: null, actor: 'cli', action: 'privacy.purge', target: null, ip: null, ipSalt: null, ipCommit: null, detail: {} }, seal);
      expect(next).toMatchObject({ seq: auditBefore.at(-1)!.seq + 1, prevHash: auditBefore.at(-1)!.hash });
    });

    it('suspends and restores an account\'s API access', async () => {
      expect(await h.store.setAccountApiSuspended(acc.id, NOW)).toBe(true);
      expect((await h.store.getAccount(acc.id))?.apiSuspendedAt).toBe(NOW);
      expect(await h.store.setAccountApiSuspended(acc.id, null)).toBe(true);
      expect((await h.store.getAccount(acc.id))?.apiSuspendedAt).toBeNull();
      expect(await h.store.setAccountApiSuspended('acc_none', NOW)).toBe(false);
    });

    it('dumps the privacy records too, so migration and backup carry them', async () => {
      const s = await summarize((h.store as unknown as { dump(): AsyncIterable<never> }).dump());
      expect(s.counts.request).toBeGreaterThan(0);
      expect(s.counts.audit).toBeGreaterThan(0);
      expect(s.counts.subjectRequest).toBeGreaterThan(0);
      expect(s.counts.auditAnchor).toBe(1);
    });
  });
}
