import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '../../server/domain/ids.js';
import type { License } from '../../server/domain/types.js';
import { JsonStore } from '../../server/store/json/index.js';
import { FILE_VERSION } from '../../server/store/json/schema.js';
import { summarize } from '../../server/store/dump.js';
import { AUDIT_GENESIS } from '../../server/store/privacy.js';
import type { ConsumeDecision, StoredResponse } from '../../server/store/store.js';
import { describeStore } from './conformance.js';
import { describePrivacyStore } from './privacy-conformance.js';

const dirs: string[] = [];
function freshFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'batchkeys-json-'));
  dirs.push(dir);
  return join(dir, 'batchkeys.json');
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describeStore('JSON', async () => {
  const file = freshFile();
  const store = await JsonStore.open(file);
  return { store, cleanup: () => store.close() };
});

/** Whether any file in the directory (the store, its `.bak`, any temp file) holds these bytes. */
function dirContains(dir: string, text: string): boolean {
  const needle = Buffer.from(text);
  return readdirSync(dir, { withFileTypes: true }).some((e) => e.isFile() && readFileSync(join(dir, e.name)).includes(needle));
}

describePrivacyStore('JSON', async () => {
  const file = freshFile();
  const store = await JsonStore.open(file);
  return { store, rawContains: async (text) => dirContains(join(file, '..'), text), cleanup: () => store.close() };
});

const NOW = Date.parse('2026-06-01T12:00:00Z');
const render = (d: ConsumeDecision): StoredResponse => ({
  status: d.kind === 'ok' ? 200 : 409,
  body: Buffer.from(JSON.stringify(d.kind === 'ok' ? { remaining: d.license.tokensRemaining } : { code: d.code })),
});

/** A store holding one account and one product, and a maker of licenses for it. */
async function seeded(file: string) {
  const store = await JsonStore.open(file);
  const accountId = newId('acc');
  const productId = newId('prd');
  await store.createAccount({ id: accountId, name: 'A', status: 'active', operator: true, apiSuspendedAt: null, createdAt: NOW, updatedAt: NOW });
  await store.createProduct({ id: productId, accountId, name: 'P', slug: 'p', keyPrefix: null, metadata: {}, createdAt: NOW, updatedAt: NOW });
  const license = (over: Partial<License> = {}): License => ({
    id: newId('lic'), accountId, productId, productSlug: 'p', policyId: null, keyDigest: newId('dig'), keyEncrypted: 'x',
    status: 'active', expiresAt: null, durationDays: null, lock: 'none', maxActivations: null, activationCount: 0,
    tokensRemaining: null, tokensTotal: null, email: null, name: null, metadata: {}, createdAt: NOW, updatedAt: NOW, ...over,
  });
  return { store, accountId, productId, license };
}

const parses = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { version: number; licenses: unknown[]; ledger: unknown[] };

describe('JSON store file', () => {
  it('refuses a file that is not JSON, naming the file and the problem, and leaves it byte for byte', async () => {
    const file = freshFile();
    const bytes = Buffer.from('{\n  "version": 1,\n  "accounts": [\n');
    writeFileSync(file, bytes);
    await expect(JsonStore.open(file)).rejects.toThrow(new RegExp(`${file}.*not valid JSON`));
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(readdirSync(join(file, '..'))).toEqual(['batchkeys.json']);
  });

  it('refuses a file of the wrong shape, a newer version or a broken reference, and leaves it as it is', async () => {
    const file = freshFile();
    const { store, license } = await seeded(file);
    await store.createLicense(license());
    await store.close();
    const good = readFileSync(file, 'utf8');
    const cases: Array<[string, RegExp]> = [
      [good.replace('"status": "active",\n      "expiresAt"', '"status": "paused",\n      "expiresAt"'), /licenses\.0\.status/],
      [good.replace(`"version": ${FILE_VERSION}`, `"version": ${FILE_VERSION + 1}`), new RegExp(`newer BatchKeys \\(file version ${FILE_VERSION + 1}`)],
      [good.replace('"accounts": [', '"acounts": ['), /not a BatchKeys store file/],
      [good.replace(/"productId": "prd_\w+"/, '"productId": "prd_missing"'), /licenses\[0\]: product prd_missing does not exist/],
    ];
    for (const [text, problem] of cases) {
      expect(text).not.toBe(good);
      writeFileSync(file, text);
      await expect(JsonStore.open(file)).rejects.toThrow(problem);
      expect(readFileSync(file, 'utf8')).toBe(text);
      expect(existsSync(`${file}.bak`)).toBe(false);
    }
  });

  it('keeps the file as it was at open in .bak, written before the first change of the session', async () => {
    const file = freshFile();
    const { store, license } = await seeded(file);
    await store.close();
    const before = readFileSync(file, 'utf8');
    const reopened = await JsonStore.open(file);
    await reopened.listAccounts();
    expect(existsSync(`${file}.bak`)).toBe(false); // a session that only reads writes nothing
    await reopened.createLicense(license());
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(before);
    expect(parses(file).licenses).toHaveLength(1);
    await reopened.createLicense(license());
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(before); // once per session, not per write
    await reopened.close();
  });

  it('writes atomically: under many concurrent changes the file always parses, and no temp file remains', async () => {
    const file = freshFile();
    const { store, license } = await seeded(file);
    const l = license({ tokensRemaining: 10_000, tokensTotal: 10_000 });
    await store.createLicense(l);
    await store.createLicense(license({ tokensRemaining: 1, tokensTotal: 1, id: newId('lic', NOW + 1) }));
    let reads = 0;
    const reader = setInterval(() => {
      parses(file);
      reads++;
    }, 1);
    try {
      for (let round = 0; round < 10; round++) {
        await Promise.all(Array.from({ length: 100 }, () =>
          store.consume({ digest: l.keyDigest, amount: 1, idempotencyKey: null, ledgerId: newId('led'), now: NOW, render })));
      }
    } finally {
      clearInterval(reader);
    }
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(join(file, '..'))).toEqual(['batchkeys.json']);
    expect(parses(file).ledger).toHaveLength(2 + 1000);
    await store.close();
  });

  it('undoes only the change that throws, even when it fails half way through', async () => {
    const file = freshFile();
    const { store, accountId, license } = await seeded(file);
    const [a, b, bad, d] = [license(), license(), license({ productId: 'prd_missing' }), license()];
    async function* rows() {
      yield b;
      yield bad; // fails inside the change, after b was stored: b must go too
    }
    const out = await Promise.allSettled([store.createLicense(a), store.importLicenses(rows()), store.createLicense(d)]);
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.getLicense(accountId, b.id)).toBeNull();
    expect(await store.findLicenseByDigest(b.keyDigest)).toBeNull();
    await store.close();
    const reopened = await JsonStore.open(file);
    expect((await reopened.getLicense(accountId, a.id))?.id).toBe(a.id);
    expect((await reopened.getLicense(accountId, d.id))?.id).toBe(d.id);
    expect(await reopened.getLicense(accountId, b.id)).toBeNull();
    await reopened.close();
  });

  it('keeps every kind of data across a reopen, stored answers byte for byte', async () => {
    const file = freshFile();
    const { store, accountId, license } = await seeded(file);
    const l = license({ lock: 'domain', maxActivations: 2, tokensRemaining: 10, tokensTotal: 10, email: 'x@example.com', metadata: { plan: { seats: 2 } } });
    await store.createLicense(l);
    await store.activate({ digest: l.keyDigest, id: newId('act'), now: NOW, plan: () => ({ domain: 'a.com', device: null, label: 'A', development: false }) });
    const binary = Buffer.from([0xff, 0x00, 0x7b]); // not UTF-8: stored as base64
    const first = await store.consume({ digest: l.keyDigest, amount: 3, idempotencyKey: 'bin', ledgerId: newId('led'), now: NOW, render: () => ({ status: 200, body: binary }) });
    expect(first.kind === 'answer' && first.replayed).toBe(false);
    await store.close();

    const reopened = await JsonStore.open(file);
    expect(await reopened.getLicense(accountId, l.id)).toMatchObject({ tokensRemaining: 7, activationCount: 1, email: 'x@example.com', metadata: { plan: { seats: 2 } }, productSlug: 'p' });
    expect(await reopened.listActivations(accountId, l.id, false)).toMatchObject([{ domain: 'a.com', label: 'A' }]);
    const again = await reopened.consume({ digest: l.keyDigest, amount: 3, idempotencyKey: 'bin', ledgerId: newId('led'), now: NOW, render });
    expect(again.kind === 'answer' && again.replayed && again.response.body.equals(binary)).toBe(true);
    await reopened.close();
  });

  it('dumps a consistent copy that restores into an empty store only, with the same counts and digests', async () => {
    const { store, license } = await seeded(freshFile());
    const l = license({ tokensRemaining: 5, tokensTotal: 5 });
    await store.createLicense(l);
    await store.consume({ digest: l.keyDigest, amount: 2, idempotencyKey: 'k', ledgerId: newId('led'), now: NOW, render });
    const target = await JsonStore.open(freshFile());
    expect(await target.restore(store.dump())).toBe(6); // account, product, license, grant, consume, stored answer
    expect(await summarize(target.dump())).toEqual(await summarize(store.dump()));
    await expect(target.restore(store.dump())).rejects.toThrow(/not empty/);
    await Promise.all([store.close(), target.close()]);
  });

  it('a killed process leaves a whole file holding every acknowledged change', async () => {
    const dist = join(import.meta.dirname, '..', '..', 'dist', 'store', 'json', 'index.js');
    if (!existsSync(dist)) throw new Error('dist/store/json/index.js is missing: run `npm run build` before this test');
    const file = freshFile();
    // The child makes a file of 2,000 licenses (so that writes take a while), then consumes one
    // token at a time, 8 in flight, printing how many were acknowledged. It is killed mid-stream.
    const script = `
      import { JsonStore } from ${JSON.stringify(pathToFileURL(dist).href)};
      const s = await JsonStore.open(${JSON.stringify(file)});
      const t = ${NOW};
      await s.createAccount({ id: 'acc_1', name: 'A', status: 'active', operator: true, apiSuspendedAt: null, createdAt: t, updatedAt: t });
      await s.createProduct({ id: 'prd_1', accountId: 'acc_1', name: 'P', slug: 'p', keyPrefix: null, metadata: {}, createdAt: t, updatedAt: t });
      const lic = (i, tokens) => ({ id: 'lic_' + String(i).padStart(6, '0'), accountId: 'acc_1', productId: 'prd_1', productSlug: 'p',
        policyId: null, keyDigest: 'dig_' + i, keyEncrypted: 'x', status: 'active', expiresAt: null, durationDays: null, lock: 'none',
        maxActivations: null, activationCount: 0, tokensRemaining: tokens, tokensTotal: tokens, email: null, name: null,
        metadata: { note: 'padding '.repeat(10) }, createdAt: t, updatedAt: t });
      await s.importLicenses((async function* () { for (let i = 0; i < 2000; i++) yield lic(i, i === 0 ? 1000000 : null); })());
      const render = () => ({ status: 200, body: Buffer.from('{}') });
      let acked = 0;
      for (let n = 0; ; n++) {
        await Promise.all(Array.from({ length: 8 }, (_, k) =>
          s.consume({ digest: 'dig_0', amount: 1, idempotencyKey: null, ledgerId: 'led_' + n + '_' + k, now: t, render })));
        acked += 8;
        process.stdout.write(acked + '\\n');
      }
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = 0;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        const last = c.toString().trim().split('\n').pop();
        acked = Number(last);
        if (acked >= 400) resolve();
      });
      child.once('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const reopened = await JsonStore.open(file); // parses and passes every check
    const remaining = (await reopened.findLicenseByDigest('dig_0'))?.tokensRemaining ?? -1;
    expect(1_000_000 - remaining).toBeGreaterThanOrEqual(acked);
    expect((await reopened.getLicense('acc_1', 'lic_001999'))?.metadata).toEqual({ note: 'padding '.repeat(10) });
    await reopened.close();
  });
});

describe('JSON store file: privacy data', () => {
  const seal = (prev: string, seq: number) => `${prev.slice(0, 8)}-${seq}`.padEnd(64, '0');
  const audit = (at: number, ip: string | null = null) => ({
    at, accountId: null, actor: 'cli', action: 'test', target: null, ip, ipSalt: ip && 'salt', ipCommit: ip && 'commit', detail: { at },
  });
  const request = (at: number, ip: string, licenseId: string | null = null) => ({
    at, accountId: null, licenseId, action: 'validate' as const, code: 'VALID', status: 200, ip, domain: null, device: null, tokens: null, latencyMs: 1.5,
  });

  it('opens a file of the previous version (no privacy tables, accounts without apiSuspendedAt) and upgrades it on the first write', async () => {
    const file = freshFile();
    const v1 = `${JSON.stringify({
      version: 1,
      accounts: [{ id: 'acc_1', name: 'A', status: 'active', operator: true, createdAt: NOW, updatedAt: NOW }],
      tokens: [],
      products: [{ id: 'prd_1', accountId: 'acc_1', name: 'P', slug: 'p', keyPrefix: null, metadata: {}, createdAt: NOW, updatedAt: NOW }],
      policies: [], licenses: [], activations: [], ledger: [], idempotency: [],
    }, null, 2)}\n`;
    writeFileSync(file, v1);
    const store = await JsonStore.open(file);
    expect(await store.getAccount('acc_1')).toMatchObject({ apiSuspendedAt: null });
    expect(await store.auditAnchor()).toEqual(AUDIT_GENESIS);
    expect(await store.listRequests({ accountId: null, limit: 10 })).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(v1); // reading changes nothing
    await store.setAccountApiSuspended('acc_1', NOW);
    await store.close();
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(v1); // the previous BatchKeys can still open the backup
    const upgraded = JSON.parse(readFileSync(file, 'utf8')) as { version: number; nextRequestSeq: number; auditAnchor: unknown; requests: unknown[] };
    expect(upgraded).toMatchObject({ version: FILE_VERSION, nextRequestSeq: 1, auditAnchor: null, requests: [] });
    const reopened = await JsonStore.open(file);
    expect((await reopened.getAccount('acc_1'))?.apiSuspendedAt).toBe(NOW);
    await reopened.close();
  });

  it('keeps the logs, the anchor and the next request seq across a reopen: a seq is never given out twice', async () => {
    const file = freshFile();
    const { store, accountId } = await seeded(file);
    await store.appendRequests([request(NOW - 10, '192.0.2.1'), request(NOW - 5, '192.0.2.2'), request(NOW, '192.0.2.3')]);
    for (let i = 0; i < 3; i++) await store.appendAudit(audit(NOW - 10 + i), seal);
    await store.createSubjectRequest({
      id: 'dsr_1', accountId, kind: 'access', subjectKind: 'ip', subjectDigest: 'dig', subjectEncrypted: 'enc', receivedAt: NOW,
      dueAt: NOW + 1, instruction: null, status: 'open', completedAt: null, artefact: null, createdAt: NOW,
    });
    await store.purge({ auditBefore: NOW - 9 }, 10, (ip) => ip);
    // The newest request goes: its seq must not come back.
    await store.eraseSubject(null, { kind: 'ip', value: '192.0.2.3' }, 'none', NOW);
    await store.close();

    const reopened = await JsonStore.open(file);
    const anchor = await reopened.auditAnchor();
    expect(anchor.seq).toBe(1);
    expect((await reopened.listAudit({ limit: 10 })).map((e) => [e.seq, e.prevHash])).toEqual([[2, anchor.hash], [3, expect.any(String)]]);
    expect((await reopened.appendAudit(audit(NOW), seal)).seq).toBe(4);
    expect((await reopened.listRequests({ accountId: null, limit: 10 })).map((r) => r.seq)).toEqual([2, 1]);
    await reopened.appendRequests([request(NOW, '192.0.2.9')]);
    expect((await reopened.listRequests({ accountId: null, limit: 1 }))[0]).toMatchObject({ seq: 4, ip: '192.0.2.9', latencyMs: 1.5 });
    expect(await reopened.getSubjectRequest(accountId, 'dsr_1')).toMatchObject({ subjectEncrypted: 'enc', status: 'open' });
    await reopened.close();
  });

  it('erases from the backup too, even what an earlier session kept there and memory no longer holds', async () => {
    const file = freshFile();
    const { store, accountId, license } = await seeded(file);
    const l = license({ email: 'lingering@example.com' });
    await store.createLicense(l);
    await store.close();
    const second = await JsonStore.open(file); // holds the file read at open, email included, for .bak
    await second.deleteLicense(accountId, l.id); // not an erasure: the first write keeps the old file as .bak
    const dir = join(file, '..');
    expect(dirContains(dir, 'lingering@example.com')).toBe(true);
    const counts = await second.eraseSubject(accountId, { kind: 'email', value: 'lingering@example.com' }, 'none', NOW);
    expect(counts.licenses).toBe(0);
    expect(dirContains(dir, 'lingering@example.com')).toBe(false);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(readFileSync(file, 'utf8')); // a good copy to fall back on
    expect(readdirSync(dir).sort()).toEqual(['batchkeys.json', 'batchkeys.json.bak']);
    await second.close();
  });

  it('an erasure as the first change of a session never writes the file as read at open to the backup', async () => {
    const file = freshFile();
    const { store, license } = await seeded(file);
    await store.createLicense(license({ name: 'First Change' }));
    await store.close();
    const reopened = await JsonStore.open(file);
    await reopened.eraseSubject(null, { kind: 'email', value: 'nobody@example.com' }, 'none', NOW);
    await reopened.close();
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });

  it('dumps and restores the privacy records, anchor and seqs included', async () => {
    const { store, accountId } = await seeded(freshFile());
    await store.appendRequests([request(NOW - 1, '192.0.2.1'), request(NOW, '192.0.2.2')]);
    for (let i = 0; i < 3; i++) await store.appendAudit(audit(NOW - 10 + i, '198.51.100.1'), seal);
    await store.purge({ auditBefore: NOW - 9 }, 10, (ip) => ip);
    await store.createSubjectRequest({
      id: 'dsr_1', accountId, kind: 'erase', subjectKind: 'email', subjectDigest: 'dig', subjectEncrypted: 'enc', receivedAt: NOW,
      dueAt: NOW + 1, instruction: 'erase', status: 'completed', completedAt: NOW, artefact: { removed: 1 }, createdAt: NOW,
    });
    const counts = await store.counts();
    expect(counts).toMatchObject({ request: 2, audit: 2, auditAnchor: 1, subjectRequest: 1 });
    const target = await JsonStore.open(freshFile());
    expect(await target.restore(store.dump())).toBe(2 + 2 + 2 + 1 + 1); // account, product, then the privacy records
    expect(await summarize(target.dump())).toEqual(await summarize(store.dump()));
    expect(await target.auditAnchor()).toEqual(await store.auditAnchor());
    expect((await target.appendAudit(audit(NOW), seal)).seq).toBe(4);
    await target.appendRequests([request(NOW, '192.0.2.3')]);
    expect((await target.listRequests({ accountId: null, limit: 1 }))[0]?.seq).toBe(3);
    await Promise.all([store.close(), target.close()]);
  });

  it('refuses to restore into a store that holds only privacy records', async () => {
    const { store } = await seeded(freshFile());
    const target = await JsonStore.open(freshFile());
    await target.appendAudit(audit(NOW), seal);
    await expect(target.restore(store.dump())).rejects.toThrow(/not empty/);
    await Promise.all([store.close(), target.close()]);
  });
});

describe('JSON store, request log file', () => {
  it('appends request-log rows to a file of its own without rewriting the store file, and reads them back on reopen', async () => {
    const file = freshFile();
    const store = await JsonStore.open(file);
    const before = readFileSync(file, 'utf8');
    const at = Date.parse('2026-06-01T12:00:00Z');
    const row = (i: number) => ({
      at: at + i, accountId: null, licenseId: null, action: 'validate' as const, code: 'NOT_FOUND', status: 404,
      ip: '198.51.100.4', domain: null, device: null, tokens: null, latencyMs: 2,
    });
    await store.appendRequests([row(0), row(1)]);
    await store.appendRequests([row(2)]);
    await store.close();
    expect(readFileSync(file, 'utf8')).toBe(before);
    const side = readFileSync(file.replace(/\.json$/, '-requests.ndjson'), 'utf8').trim().split('\n');
    expect(side.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3]);
    const again = await JsonStore.open(file);
    try {
      expect((await again.listRequests({ accountId: null, limit: 10 })).map((r) => r.seq)).toEqual([3, 2, 1]);
      await again.appendRequests([row(3)]);
      expect((await again.listRequests({ accountId: null, limit: 1 }))[0]?.seq).toBe(4);
    } finally {
      await again.close();
    }
  });
});
