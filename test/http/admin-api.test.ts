import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLicense, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s.close());

async function tokenWith(scopes: string[]): Promise<string> {
  const r = await s.admin('POST', '/v1/admin/tokens', { name: `t-${scopes.join('-')}`, scopes });
  expect(r.status).toBe(201);
  return r.json.token as string;
}

describe('authentication and scopes', () => {
  it('answers 401 without a token or with a wrong one', async () => {
    for (const token of [null, 'bk_wrong']) {
      const r = await s.call('GET', '/v1/admin/licenses', undefined, { token });
      expect(r.status).toBe(401);
      expect(r.json.code).toBe('UNAUTHORIZED');
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers 403 for a token without the scope, and 401 once revoked', async () => {
    const read = await tokenWith(['read']);
    expect((await s.call('GET', '/v1/admin/licenses', undefined, { token: read })).status).toBe(200);
    const w = await s.call('POST', '/v1/admin/products', { name: 'X', slug: 'x-scope' }, { token: read });
    expect(w.status).toBe(403);
    expect(w.json.code).toBe('FORBIDDEN');
    const write = await tokenWith(['write']);
    expect((await s.call('POST', '/v1/admin/products', { name: 'X', slug: 'x-scope' }, { token: write })).status).toBe(201);
    expect((await s.call('GET', '/v1/admin/products', undefined, { token: write })).status).toBe(200);
    expect((await s.call('GET', '/v1/admin/tokens', undefined, { token: write })).status).toBe(403);
    const list = await s.admin('GET', '/v1/admin/tokens');
    const rec = list.json.items.find((t: { name: string }) => t.name === 't-read');
    expect(JSON.stringify(list.json)).not.toContain(read);
    expect((await s.admin('DELETE', `/v1/admin/tokens/${rec.id}`)).status).toBe(204);
    expect((await s.call('GET', '/v1/admin/licenses', undefined, { token: read })).status).toBe(401);
  });

  it('never shows one account anything of another (404)', async () => {
    const other = await s.admin('POST', '/v1/admin/accounts', { name: 'Other' });
    const tok = other.json.token as string;
    const mine = await makeLicense(s, { email: 'mine@example.com' });
    expect((await s.call('GET', `/v1/admin/licenses/${mine.id}`, undefined, { token: tok })).status).toBe(404);
    expect((await s.call('POST', `/v1/admin/licenses/${mine.id}/actions/suspend`, {}, { token: tok })).status).toBe(404);
    expect((await s.call('GET', '/v1/admin/licenses', undefined, { token: tok })).json.items).toEqual([]);
    expect((await s.call('POST', '/v1/admin/licenses', { product: 'plugin' }, { token: tok })).json.code).toBe('PRODUCT_NOT_FOUND');
    // Slugs are per account.
    expect((await s.call('POST', '/v1/admin/products', { name: 'Plugin', slug: 'plugin' }, { token: tok })).status).toBe(201);
    // Only the operator account manages accounts.
    expect((await s.call('GET', '/v1/admin/accounts', undefined, { token: tok })).status).toBe(403);
  });
});

describe('products and policies', () => {
  it('creates, lists, updates and deletes products; a used slug is a 409 CONFLICT', async () => {
    const r = await s.admin('POST', '/v1/admin/products', { name: 'Gallery Pro', slug: 'gallery-pro', keyPrefix: 'GAL' });
    expect(r.status).toBe(201);
    expect(r.json.product).toMatchObject({ id: expect.stringMatching(/^prd_/), name: 'Gallery Pro', slug: 'gallery-pro' });
    const dup = await s.admin('POST', '/v1/admin/products', { name: 'Again', slug: 'gallery-pro' });
    expect(dup.status).toBe(409);
    expect(dup.json.code).toBe('CONFLICT');
    const lic = await s.admin('POST', '/v1/admin/licenses', { product: 'gallery-pro' });
    expect(lic.json.key).toMatch(/^GAL-/);
    const patched = await s.admin('PATCH', `/v1/admin/products/${r.json.product.id}`, { name: 'Gallery Pro 2' });
    expect(patched.json.product.name).toBe('Gallery Pro 2');
    expect((await s.admin('DELETE', `/v1/admin/products/${r.json.product.id}`)).json.code).toBe('CONFLICT');
    const empty = await s.admin('POST', '/v1/admin/products', { name: 'Empty', slug: 'empty' });
    expect((await s.admin('DELETE', `/v1/admin/products/${empty.json.product.id}`)).status).toBe(204);
    expect((await s.admin('GET', '/v1/admin/products/empty')).status).toBe(404);
    expect((await s.admin('POST', '/v1/admin/products', { name: 'Bad', slug: 'Bad Slug' })).json.code).toBe('VALIDATION_ERROR');
  });

  it('applies a policy to new licenses, with explicit values winning', async () => {
    await s.admin('POST', '/v1/admin/products', { name: 'Theme', slug: 'theme-pol' });
    const pol = await s.admin('POST', '/v1/admin/policies', {
      product: 'theme-pol', name: 'Yearly 3 sites', durationDays: 365, lock: 'domain', maxActivations: 3, tokens: 100,
    });
    expect(pol.status).toBe(201);
    const a = await s.admin('POST', '/v1/admin/licenses', { product: 'theme-pol', policy: pol.json.policy.id });
    expect(a.json.license).toMatchObject({ lock: 'domain', maxActivations: 3, tokens: { remaining: 100, total: 100 }, policy: pol.json.policy.id });
    const days = (Date.parse(a.json.license.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364.9);
    expect(days).toBeLessThan(365.1);
    const b = await s.admin('POST', '/v1/admin/licenses', { product: 'theme-pol', policy: pol.json.policy.id, maxActivations: null, expiresAt: null });
    expect(b.json.license).toMatchObject({ maxActivations: null, expiresAt: null });
    expect((await s.admin('GET', '/v1/admin/policies?product=theme-pol')).json.items).toHaveLength(1);
    expect((await s.admin('PATCH', `/v1/admin/policies/${pol.json.policy.id}`, { maxActivations: 5 })).json.policy.maxActivations).toBe(5);
    expect((await s.admin('POST', '/v1/admin/licenses', { product: 'theme-pol', policy: 'pol_nope' })).json.code).toBe('POLICY_NOT_FOUND');
  });
});

describe('licenses', () => {
  it('creates a license with a generated key shown once, and reveals it to admins only', async () => {
    const r = await s.admin('POST', '/v1/admin/licenses', {
      product: 'plugin-admin', email: 'ana@example.com', name: 'Ana', metadata: { order: 42 },
    });
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('PRODUCT_NOT_FOUND');
    await s.admin('POST', '/v1/admin/products', { name: 'P', slug: 'plugin-admin' });
    const c = await s.admin('POST', '/v1/admin/licenses', { product: 'plugin-admin', email: 'ana@example.com', name: 'Ana', metadata: { order: 42 } });
    expect(c.status).toBe(201);
    expect(c.json.key).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){5}$/);
    expect(c.json.license).toMatchObject({ email: 'ana@example.com', name: 'Ana', metadata: { order: 42 }, status: 'active' });
    const shown = await s.admin('GET', `/v1/admin/licenses/${c.json.license.id}`);
    expect(JSON.stringify(shown.json)).not.toContain(c.json.key);
    const reveal = await s.admin('GET', `/v1/admin/licenses/${c.json.license.id}/key`);
    expect(reveal.json.key).toBe(c.json.key);
    const write = await tokenWith(['write']);
    expect((await s.call('GET', `/v1/admin/licenses/${c.json.license.id}/key`, undefined, { token: write })).status).toBe(403);
  });

  it('imports an existing key, refuses a duplicate and a too-short one', async () => {
    const r = await s.admin('POST', '/v1/admin/licenses', { product: 'plugin-admin', key: 'legacy-key-0001' });
    expect(r.status).toBe(201);
    expect(r.json.key).toBe('legacy-key-0001');
    expect((await s.call('POST', '/v1/licenses/validate', { key: 'LEGACYKEY0001' })).json.code).toBe('VALID');
    expect((await s.admin('POST', '/v1/admin/licenses', { product: 'plugin-admin', key: 'LEGACY KEY 0001' })).json.code).toBe('CONFLICT');
    expect((await s.admin('POST', '/v1/admin/licenses', { product: 'plugin-admin', key: 'ab-c' })).json.code).toBe('VALIDATION_ERROR');
  });

  it('refuses unknown fields and bad values with 400 and the field', async () => {
    const r = await s.admin('POST', '/v1/admin/licenses', { product: 'plugin-admin', colour: 'red', email: 'not-an-email' });
    expect(r.status).toBe(400);
    expect(r.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['colour', 'email']);
    const big = await s.admin('POST', '/v1/admin/licenses', { product: 'plugin-admin', metadata: { blob: 'x'.repeat(5000) } });
    expect(big.json.code).toBe('VALIDATION_ERROR');
    const bad = await s.call('POST', '/v1/admin/licenses', undefined, { token: s.token, raw: '{nope', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('VALIDATION_ERROR');
    const huge = await s.call('POST', '/v1/admin/licenses', { product: 'x', metadata: { a: 'x'.repeat(300 * 1024) } }, { token: s.token });
    expect(huge.status).toBe(413);
    expect(huge.json.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('lists with filters and cursor pagination, newest first', async () => {
    await s.admin('POST', '/v1/admin/products', { name: 'Paged', slug: 'paged' });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await s.admin('POST', '/v1/admin/licenses', { product: 'paged', email: i % 2 ? 'odd@example.com' : 'even@example.com', name: `Buyer ${i}` });
      ids.push(r.json.license.id);
    }
    await s.admin('POST', `/v1/admin/licenses/${ids[0]}/actions/suspend`, {});
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { items: Array<{ id: string }>; nextCursor: string | null } } =
        await s.admin('GET', `/v1/admin/licenses?product=paged&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.json.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.json.items.map((l) => l.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await s.admin('GET', '/v1/admin/licenses?product=paged&email=odd@example.com')).json.items).toHaveLength(3);
    expect((await s.admin('GET', '/v1/admin/licenses?product=paged&status=suspended')).json.items.map((l: { id: string }) => l.id)).toEqual([ids[0]]);
    expect((await s.admin('GET', '/v1/admin/licenses?product=paged&q=Buyer 4')).json.items.map((l: { id: string }) => l.id)).toEqual([ids[4]]);
    const key = (await s.admin('GET', `/v1/admin/licenses/${ids[2]}/key`)).json.key as string;
    expect((await s.admin('GET', `/v1/admin/licenses?q=${encodeURIComponent(key.toLowerCase())}`)).json.items.map((l: { id: string }) => l.id)).toEqual([ids[2]]);
    expect((await s.admin('GET', '/v1/admin/licenses?limit=0')).status).toBe(400);
    expect((await s.admin('GET', '/v1/admin/licenses?cursor=garbage')).status).toBe(400);
    expect((await s.admin('GET', '/v1/admin/licenses?product=nope')).json.items).toEqual([]);
  });

  it('sorts by expiry or creation, both ways, across pages; a cursor of another sort or order is a 400', async () => {
    await s.admin('POST', '/v1/admin/products', { name: 'Sorted', slug: 'sorted' });
    const expiries = ['2031-01-01T00:00:00.000Z', null, '2030-01-01T00:00:00.000Z', '2031-01-01T00:00:00.000Z', null];
    const made: Array<{ id: string; expiresAt: string | null }> = [];
    for (const expiresAt of expiries) {
      const r = await s.admin('POST', '/v1/admin/licenses', { product: 'sorted', expiresAt });
      made.push({ id: r.json.license.id, expiresAt: r.json.license.expiresAt });
    }
    type Page = { status: number; json: { items: Array<{ id: string }>; nextCursor: string | null; code?: string } };
    const all = async (params: string): Promise<string[]> => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await s.admin('GET', `/v1/admin/licenses?product=sorted&limit=2${params}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...page.json.items.map((l) => l.id));
        cursor = page.json.nextCursor;
      } while (cursor);
      return seen;
    };
    const byId = made.map((l) => l.id).sort();
    // Soonest first, ties by id, never-expiring last; descending is the exact reverse.
    const key = (l: { expiresAt: string | null }) => l.expiresAt ?? '9999';
    const byExpiry = [...made].sort((a, b) => (key(a) !== key(b) ? (key(a) < key(b) ? -1 : 1) : a.id < b.id ? -1 : 1)).map((l) => l.id);
    expect(made[2]!.id).toBe(byExpiry[0]);
    expect(await all('&sort=expiresAt&order=asc')).toEqual(byExpiry);
    expect(await all('&sort=expiresAt')).toEqual([...byExpiry].reverse());
    expect(await all('&sort=createdAt&order=asc')).toEqual(byId);
    expect(await all('&sort=createdAt&order=desc')).toEqual([...byId].reverse());
    expect(await all('')).toEqual([...byId].reverse());

    const first = (params: string): Promise<Page> => s.admin('GET', `/v1/admin/licenses?product=sorted&limit=2${params}`);
    const expiryCursor = (await first('&sort=expiresAt')).json.nextCursor!;
    const defaultCursor = (await first('')).json.nextCursor!;
    const ascCursor = (await first('&order=asc')).json.nextCursor!;
    // The default order keeps its cursor format: the id, in base64url.
    expect(Buffer.from(defaultCursor, 'base64url').toString()).toMatch(/^lic_[0-9A-Z]+$/);
    for (const bad of [
      `&cursor=${expiryCursor}`, `&sort=expiresAt&order=asc&cursor=${expiryCursor}`, `&sort=expiresAt&cursor=${defaultCursor}`,
      `&cursor=${ascCursor}`, `&order=asc&cursor=${defaultCursor}`,
    ]) {
      const r = await first(bad);
      expect(r.status, bad).toBe(400);
      expect(r.json.code).toBe('VALIDATION_ERROR');
    }
    expect((await first('&sort=email')).status).toBe(400);
    expect((await first('&order=up')).status).toBe(400);
  });

  it('suspends, reinstates, revokes (final), renews, adds tokens, updates and deletes', async () => {
    const { id, key } = await makeLicense(s, { tokens: 5, expiresAt: '2030-01-01T00:00:00Z', lock: 'domain', maxActivations: 2 });
    const act = (a: string, body: unknown = {}) => s.admin('POST', `/v1/admin/licenses/${id}/actions/${a}`, body);
    expect((await act('suspend')).json.license.status).toBe('suspended');
    expect((await act('reinstate')).json.license.status).toBe('active');
    expect((await act('add-tokens', { amount: 10 })).json.license.tokens).toEqual({ remaining: 15, total: 15 });
    expect((await act('renew', { days: 10 })).json.license.expiresAt).toBe('2030-01-11T00:00:00.000Z');
    expect((await act('renew', { expiresAt: '2031-05-05T00:00:00Z' })).json.license.expiresAt).toBe('2031-05-05T00:00:00.000Z');
    expect((await act('renew', {})).json.code).toBe('VALIDATION_ERROR');
    await s.call('POST', '/v1/licenses/activate', { key, domain: 'a.com' });
    await s.call('POST', '/v1/licenses/activate', { key, domain: 'b.com' });
    const acts = await s.admin('GET', `/v1/admin/licenses/${id}/activations`);
    expect(acts.json.items.map((a: { domain: string }) => a.domain).sort()).toEqual(['a.com', 'b.com']);
    expect((await s.admin('DELETE', `/v1/admin/activations/${acts.json.items[0].id}`)).status).toBe(204);
    expect((await s.admin('DELETE', `/v1/admin/activations/${acts.json.items[0].id}`)).status).toBe(404);
    expect((await s.admin('GET', `/v1/admin/licenses/${id}/activations`)).json.items).toHaveLength(1);
    expect((await s.admin('GET', `/v1/admin/licenses/${id}/activations?all=true`)).json.items).toHaveLength(2);
    expect((await act('reset-activations')).json.license.activations).toBe(0);
    const patched = await s.admin('PATCH', `/v1/admin/licenses/${id}`, { email: 'new@example.com', maxActivations: null, metadata: { seat: 'x' } });
    expect(patched.json.license).toMatchObject({ email: 'new@example.com', maxActivations: null, metadata: { seat: 'x' } });
    expect((await s.admin('PATCH', `/v1/admin/licenses/${id}`, { status: 'active' })).json.code).toBe('VALIDATION_ERROR');
    expect((await act('revoke')).json.license.status).toBe('revoked');
    const again = await act('reinstate');
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('LICENSE_REVOKED');
    expect((await act('suspend')).json.code).toBe('LICENSE_REVOKED');
    expect((await s.admin('DELETE', `/v1/admin/licenses/${id}`)).status).toBe(204);
    expect((await s.admin('GET', `/v1/admin/licenses/${id}`)).status).toBe(404);
    expect((await s.call('POST', '/v1/licenses/validate', { key })).json.code).toBe('NOT_FOUND');
  });
});

describe('documents', () => {
  it('serves an OpenAPI 3.1 document covering every public and admin route', async () => {
    const r = await s.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.json.openapi).toBe('3.1.0');
    for (const p of ['/v1/licenses/validate', '/v1/licenses/activate', '/v1/licenses/deactivate', '/v1/licenses/consume', '/v1/signing-key',
      '/v1/admin/products', '/v1/admin/licenses', '/v1/admin/licenses/{id}', '/v1/admin/licenses/{id}/actions/suspend',
      '/v1/admin/licenses/{id}/activations', '/v1/admin/activations/{id}']) {
      expect(r.json.paths[p], p).toBeDefined();
    }
    const validate = r.json.paths['/v1/licenses/validate'].post;
    expect(validate.requestBody.content['application/json'].schema.properties.key.maxLength).toBe(256);
    expect(validate.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('serves a readable HTML reference at /docs', async () => {
    const r = await s.call('GET', '/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.raw.toString()).toContain('/v1/licenses/validate');
    expect(r.raw.toString()).toContain('ACTIVATION_LIMIT_REACHED');
  });
});
