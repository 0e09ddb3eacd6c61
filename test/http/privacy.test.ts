import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLicense, startTestServer, type TestServer } from '../helpers/server.js';

const DAY = 86_400_000;
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s.close());

/** Whether any file of the store (database, request log, their WALs) holds these bytes. */
function dataDirContains(text: string): boolean {
  const needle = Buffer.from(text);
  return readdirSync(s.dataDir).filter((f) => f.startsWith('batchkeys')).some((f) => readFileSync(join(s.dataDir, f)).includes(needle));
}

describe('request log', () => {
  it('records every public request with its outcome, domain and IP, never the key, and counts them per license', async () => {
    const { key, id } = await makeLicense(s, { lock: 'domain', maxActivations: 2, tokens: 50 });
    expect((await s.call('POST', '/v1/licenses/activate', { key, domain: 'https://www.Shop.example/' })).status).toBe(201);
    expect((await s.call('POST', '/v1/licenses/validate', { key, domain: 'shop.example' })).json.code).toBe('VALID');
    expect((await s.call('POST', '/v1/licenses/validate', { key, domain: 'other.example' })).json.code).toBe('NOT_ACTIVATED');
    expect((await s.call('POST', '/v1/licenses/consume', { key, amount: 7 })).status).toBe(200);
    expect((await s.call('POST', '/v1/licenses/consume', { key, amount: 500 })).status).toBe(409);
    expect((await s.call('POST', '/v1/licenses/validate', { key: 'NOPE-NOPE-NOPE' })).status).toBe(200);

    const r = await s.admin('GET', `/v1/admin/licenses/${id}/requests?limit=10`);
    expect(r.status).toBe(200);
    expect(r.json.items.map((i: { action: string; code: string }) => `${i.action}:${i.code}`)).toEqual([
      'consume:INSUFFICIENT_TOKENS', 'consume:CONSUMED', 'validate:NOT_ACTIVATED', 'validate:VALID', 'activate:ACTIVATED',
    ]);
    expect(r.json.items[4]).toMatchObject({ domain: 'shop.example', ip: '127.0.0.1', license: id, status: 201 });
    expect(r.json.items[1]).toMatchObject({ tokens: 7 });
    expect(r.raw.toString()).not.toContain(key);

    const usage = await s.admin('GET', `/v1/admin/licenses/${id}/usage`);
    expect(usage.json).toEqual({
      requests: {
        activate: { total: 1, byCode: { ACTIVATED: 1 } },
        validate: { total: 2, byCode: { VALID: 1, NOT_ACTIVATED: 1 } },
        consume: { total: 2, byCode: { CONSUMED: 1, INSUFFICIENT_TOKENS: 1 } },
      },
      tokensConsumed: 7,
    });
    const consumes = await s.admin('GET', `/v1/admin/requests?action=consume&license=${id}&limit=1`);
    expect(consumes.json.items).toHaveLength(1);
    const next = await s.admin('GET', `/v1/admin/requests?action=consume&license=${id}&limit=1&cursor=${consumes.json.nextCursor}`);
    expect(next.json.items[0].code).toBe('CONSUMED');
    expect(dataDirContains(key)).toBe(false);
  });
});

describe('audit log', () => {
  it('chains every admin action, key reveals included, and detects an altered or removed entry', async () => {
    const { id } = await makeLicense(s, { email: 'audit@example.com' });
    await s.admin('POST', `/v1/admin/licenses/${id}/actions/suspend`, {});
    await s.admin('GET', `/v1/admin/licenses/${id}/key`);
    const log = await s.admin('GET', '/v1/admin/audit?limit=500');
    const mine = log.json.items.filter((e: { target: string }) => e.target === id).map((e: { action: string }) => e.action);
    expect(mine).toEqual(['POST /v1/admin/licenses', 'POST /v1/admin/licenses/:id/actions/suspend', 'GET /v1/admin/licenses/:id/key']);
    expect(log.raw.toString()).not.toContain('audit@example.com');
    expect((await s.admin('POST', '/v1/admin/audit/verify', {})).json).toMatchObject({ ok: true, problems: [] });

    const db = new Database(join(s.dataDir, 'batchkeys.db'));
    try {
      const victim = log.json.items.find((e: { action: string; target: string }) => e.target === id && e.action.includes('suspend'));
      db.prepare(`UPDATE audit_log SET action = 'GET /v1/admin/products' WHERE seq = ?`).run(victim.seq);
      const altered = await s.admin('POST', '/v1/admin/audit/verify', {});
      expect(altered.json.ok).toBe(false);
      expect(altered.json.problems).toContainEqual({ seq: victim.seq, problem: expect.stringMatching(/altered/) });
      db.prepare(`UPDATE audit_log SET action = 'POST /v1/admin/licenses/:id/actions/suspend' WHERE seq = ?`).run(victim.seq);
      expect((await s.admin('POST', '/v1/admin/audit/verify', {})).json.ok).toBe(true);
      const row = db.prepare(`SELECT * FROM audit_log WHERE seq = ?`).get(victim.seq) as Record<string, unknown>;
      db.prepare(`DELETE FROM audit_log WHERE seq = ?`).run(victim.seq);
      const removed = await s.admin('POST', '/v1/admin/audit/verify', {});
      expect(removed.json.problems.map((p: { problem: string }) => p.problem).join(' ')).toMatch(/missing/);
      // Put it back, so that the chain is whole again for the tests that follow.
      db.prepare(`INSERT INTO audit_log (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`).run(...Object.values(row));
      expect((await s.admin('POST', '/v1/admin/audit/verify', {})).json.ok).toBe(true);
    } finally {
      db.close();
    }
  });
});

describe('data-subject rights', () => {
  it('exports, rectifies and erases everything about an email; afterwards its key is dead and no file holds it', async () => {
    const email = 'Dana.Subject@Example.org';
    const { key, id } = await makeLicense(s, { email, name: 'Dana Subject', lock: 'domain', tokens: 5 });
    await s.call('POST', '/v1/licenses/activate', { key, domain: 'dana.example' });
    await s.call('POST', '/v1/licenses/consume', { key, amount: 1 });

    const exp = await s.admin('POST', '/v1/admin/privacy/subjects/export', { kind: 'email', value: email });
    expect(exp.status).toBe(200);
    expect(exp.json.licenses).toMatchObject([{ id, email, name: 'Dana Subject' }]);
    expect(exp.json.licenses[0].keyHint).toBe(`…${key.slice(-5)}`);
    expect(exp.json.activations).toMatchObject([{ domain: 'dana.example' }]);
    expect(exp.json.tokenUsage.map((t: { delta: number }) => t.delta).sort()).toEqual([-1, 5]);
    expect(exp.json.requests.map((r: { action: string }) => r.action).sort()).toEqual(['activate', 'consume']);
    expect(exp.raw.toString()).not.toContain(key);
    const csv = await s.call('POST', '/v1/admin/privacy/subjects/export', { kind: 'email', value: email, format: 'csv' }, { token: s.token });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.raw.toString()).toMatch(/# licenses\n.*email.*\n.*Dana\.Subject@Example\.org/);

    const fix = await s.admin('POST', '/v1/admin/privacy/subjects/rectify', { email, set: { name: 'Dana S.' } });
    expect(fix.json.licensesUpdated).toBe(1);
    expect((await s.admin('GET', `/v1/admin/licenses/${id}`)).json.license.name).toBe('Dana S.');

    // The search of the files can find the subject before erasure (the WAL or the database file).
    expect(dataDirContains(email)).toBe(true);
    const erased = await s.admin('POST', '/v1/admin/privacy/subjects/erase', { kind: 'email', value: email });
    expect(erased.status).toBe(200);
    expect(erased.json.removed).toMatchObject({ licenses: 1, activations: 1, ledger: 2, requests: 2 });
    expect(erased.json.keysStopped).toEqual([{ license: id, product: 'plugin', keyHint: `…${key.slice(-5)}` }]);
    expect(erased.json.retained.map((r: { what: string }) => r.what).join(' ')).toMatch(/audit log entries/);
    expect((await s.call('POST', '/v1/licenses/validate', { key })).json.code).toBe('NOT_FOUND');
    for (const trace of [email, 'Dana S.', 'Dana Subject', 'dana.example']) expect(dataDirContains(trace)).toBe(false);
    const again = await s.admin('POST', '/v1/admin/privacy/subjects/search', { kind: 'email', value: email });
    expect(again.json.licenses).toEqual([]);
  });

  it('erases an IP address from the request log and the audit log, keeping the chain valid', async () => {
    const { key } = await makeLicense(s);
    await s.call('POST', '/v1/licenses/validate', { key });
    const found = await s.admin('POST', '/v1/admin/privacy/subjects/search', { kind: 'ip', value: '127.0.0.1' });
    expect(found.json.requests.length).toBeGreaterThan(0);
    expect(found.json.auditEntries.length).toBeGreaterThan(0);
    const erased = await s.admin('POST', '/v1/admin/privacy/subjects/erase', { kind: 'ip', value: '127.0.0.1' });
    expect(erased.json.removed.requests).toBe(found.json.requests.length);
    expect(erased.json.removed.auditRedacted).toBeGreaterThanOrEqual(found.json.auditEntries.length);
    // The erase request itself is audited afterwards, with its IP: only entries up to it are clean.
    const after = await s.admin('POST', '/v1/admin/privacy/subjects/search', { kind: 'ip', value: '127.0.0.1' });
    expect(after.json.requests).toEqual([]);
    expect(after.json.auditEntries.length).toBeLessThanOrEqual(2);
    expect((await s.admin('POST', '/v1/admin/audit/verify', {})).json.ok).toBe(true);
  });

  it('refuses a malformed subject with a problem naming the field', async () => {
    const r = await s.admin('POST', '/v1/admin/privacy/subjects/erase', { kind: 'ip', value: 'not-an-ip' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'VALIDATION_ERROR', errors: [{ path: 'value' }] });
  });
});

describe('data-subject requests', () => {
  it('records requests due 30 days after receipt, lists the overdue ones and completes them with the artefact', async () => {
    const { key } = await makeLicense(s, { email: 'late@example.net' });
    const received = new Date(Date.now() - 40 * DAY).toISOString();
    const late = await s.admin('POST', '/v1/admin/privacy/requests', {
      kind: 'erase', subject: { kind: 'email', value: 'late@example.net' }, receivedAt: received, instruction: 'Controller ticket 12',
    });
    expect(late.status).toBe(201);
    expect(Date.parse(late.json.request.dueAt) - Date.parse(received)).toBe(30 * DAY);
    const fresh = await s.admin('POST', '/v1/admin/privacy/requests', { kind: 'access', subject: { kind: 'email', value: 'late@example.net' } });
    const overdue = await s.admin('GET', '/v1/admin/privacy/requests?overdue=true');
    expect(overdue.json.items.map((r: { id: string }) => r.id)).toEqual([late.json.request.id]);
    expect(overdue.raw.toString()).not.toContain('late@example.net');

    const access = await s.admin('POST', `/v1/admin/privacy/requests/${fresh.json.request.id}/actions/complete`, {});
    expect(access.json.request).toMatchObject({ status: 'completed', artefact: { licenses: [{ email: 'late@example.net' }] } });
    const done = await s.admin('POST', `/v1/admin/privacy/requests/${late.json.request.id}/actions/complete`, {});
    expect(done.json.request).toMatchObject({ status: 'completed', subjectErased: true, artefact: { removed: { licenses: 1 } } });
    expect((await s.call('POST', '/v1/licenses/validate', { key })).json.code).toBe('NOT_FOUND');
    expect((await s.admin('GET', '/v1/admin/privacy/requests?overdue=true')).json.items).toEqual([]);
    const twice = await s.admin('POST', `/v1/admin/privacy/requests/${late.json.request.id}/actions/complete`, {});
    expect(twice.status).toBe(409);
  });
});

describe('retention', () => {
  it('purges old request logs, anonymises IPs after their own period and drops old deactivations and expired licenses', async () => {
    const t0 = Date.now();
    s.clock.now = t0 - 100 * DAY;
    const old = await makeLicense(s, { lock: 'domain', expiresAt: new Date(t0 - 99 * DAY).toISOString() });
    const live = await makeLicense(s, { lock: 'domain' });
    await s.call('POST', '/v1/licenses/validate', { key: live.key });
    await s.call('POST', '/v1/licenses/activate', { key: live.key, domain: 'gone.example' });
    await s.call('POST', '/v1/licenses/deactivate', { key: live.key, domain: 'gone.example' });
    s.clock.now = t0 - 20 * DAY;
    await s.call('POST', '/v1/licenses/validate', { key: live.key });
    s.clock.now = t0 + 700 * DAY;
    await s.call('POST', '/v1/licenses/validate', { key: live.key });
    // Expired licenses go 730 days after expiry (the default): 99 + 700 is not yet enough.
    s.clock.now = t0;
    const purge = await s.admin('POST', '/v1/admin/privacy/purge', {});
    expect(purge.status).toBe(200);
    expect(purge.json.requests).toBeGreaterThanOrEqual(3);
    expect(purge.json.activations).toBeGreaterThanOrEqual(1);
    const rows = (await s.admin('GET', `/v1/admin/licenses/${live.id}/requests`)).json.items as Array<{ at: string; ip: string }>;
    const ipOf = (daysAgo: number) => rows.find((r) => Math.abs(Date.parse(r.at) - (t0 - daysAgo * DAY)) < DAY)?.ip;
    expect(ipOf(100)).toBeUndefined();
    expect(ipOf(20)).toBe('127.0.0.0');
    expect(ipOf(-700)).toBe('127.0.0.1');
    expect((await s.admin('GET', `/v1/admin/licenses/${old.id}`)).status).toBe(200);
    s.clock.now = t0 + 640 * DAY;
    await s.admin('POST', '/v1/admin/privacy/purge', {});
    expect((await s.admin('GET', `/v1/admin/licenses/${old.id}`)).status).toBe(404);
    s.clock.now = null;
  });
});

describe('breach response', () => {
  it('reports what a token read and changed in a window, whom it concerns and the 72-hour deadline; suspend-api shuts it out', async () => {
    const created = await s.admin('POST', '/v1/admin/accounts', { name: 'Leaky Ltd' });
    const leaked = created.json.token as string;
    const accountId = created.json.account.id as string;
    const as = (method: string, path: string, body?: unknown) => s.call(method, path, body, { token: leaked });
    const from = new Date(Date.now() - 1000).toISOString();
    await as('POST', '/v1/admin/products', { name: 'Leak', slug: 'leak' });
    const lic = await as('POST', '/v1/admin/licenses', { product: 'leak', email: 'victim1@example.com' });
    await as('POST', '/v1/admin/licenses', { product: 'leak', email: 'victim2@example.com' });
    await as('GET', `/v1/admin/licenses/${lic.json.license.id}/key`);
    await as('GET', '/v1/admin/licenses');
    const awareAt = new Date().toISOString();
    const tokenId = (await as('GET', '/v1/admin/tokens')).json.items[0].id as string;

    const report = await s.admin('POST', '/v1/admin/breach-reports', {
      from, to: new Date(Date.now() + 1000).toISOString(), awareAt, token: tokenId,
    });
    expect(report.status).toBe(200);
    expect(report.json.notifyBy).toBe(new Date(Date.parse(awareAt) + 72 * 3_600_000).toISOString());
    expect(report.json.admin.keysRevealed).toEqual([lic.json.license.id]);
    expect(report.json.admin.changed['POST /v1/admin/licenses']).toBe(2);
    expect(report.json.admin.read['GET /v1/admin/licenses']).toBe(1);
    expect(report.json.accounts).toEqual([{ id: accountId, name: 'Leaky Ltd', apiSuspended: false }]);
    expect(report.json.dataSubjects).toEqual({ licensees: 2, licenses: 2 });
    expect(report.json.contacts).toContainEqual({ role: 'account holder', contact: `Leaky Ltd (${accountId})` });

    const { key } = { key: lic.json.key as string };
    expect((await s.admin('POST', `/v1/admin/accounts/${accountId}/actions/suspend-api`, {})).status).toBe(200);
    const blocked = await as('GET', '/v1/admin/licenses');
    expect(blocked.status).toBe(403);
    expect(blocked.json.code).toBe('API_SUSPENDED');
    expect((await s.call('POST', '/v1/licenses/validate', { key })).json.code).toBe('VALID');
    await s.admin('POST', `/v1/admin/accounts/${accountId}/actions/reinstate-api`, {});
    expect((await as('GET', '/v1/admin/licenses')).status).toBe(200);
  });
});

describe('GET /v1/privacy/policy', () => {
  it('answers Markdown by default, HTML or JSON on request, with ?format winning, and is never rate limited', async () => {
    const md = await s.call('GET', '/v1/privacy/policy');
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(md.raw.toString()).toMatch(/^#/m);
    const html = await s.call('GET', '/v1/privacy/policy', undefined, { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.raw.toString()).toMatch(/<h[12]/);
    const json = await s.call('GET', '/v1/privacy/policy?format=json', undefined, { headers: { accept: 'text/html' } });
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json.json.sections.length).toBeGreaterThan(3);
    const odd = await s.call('GET', '/v1/privacy/policy', undefined, { headers: { accept: 'image/png' } });
    expect(odd.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
  });

  it('changes with the configuration: request logs off, other retention, rate limit on, contacts', async () => {
    const other = await startTestServer({
      BATCHKEYS_REQUEST_LOG: 'off', BATCHKEYS_RETENTION_IP_DAYS: '3', BATCHKEYS_RATE_LIMIT: '5',
      BATCHKEYS_PRIVACY_CONTACT: 'privacy@vendor.example',
    });
    try {
      const a = (await s.call('GET', '/v1/privacy/policy')).raw.toString();
      const b = (await other.call('GET', '/v1/privacy/policy')).raw.toString();
      expect(b).not.toEqual(a);
      expect(b).toContain('privacy@vendor.example');
      expect(a).not.toContain('privacy@vendor.example');
      // With the per-IP limit at 5 a minute, the policy still answers a sixth time and more.
      for (let i = 0; i < 8; i++) expect((await other.call('GET', '/v1/privacy/policy')).status).toBe(200);
      // Request logging off: the public API records nothing.
      const { key, id } = await makeLicense(other);
      await other.call('POST', '/v1/licenses/validate', { key });
      expect((await other.admin('GET', `/v1/admin/licenses/${id}/requests`)).json.items).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
