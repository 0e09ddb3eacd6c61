import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLicense, signatureValid, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ BATCHKEYS_DEV_HOSTS: '*.wpengine.com' });
});
afterAll(async () => s.close());

const post = (path: string, body: unknown) => s.call('POST', `/v1/licenses/${path}`, body);
const DEVICE = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';

describe('GET /v1/signing-key', () => {
  it('publishes the Ed25519 key in raw base64 and PEM', async () => {
    const r = await s.call('GET', '/v1/signing-key');
    expect(r.status).toBe(200);
    expect(r.json.algorithm).toBe('ed25519');
    expect(Buffer.from(r.json.publicKey, 'base64')).toHaveLength(32);
    expect(r.json.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
  });
});

describe('POST /v1/licenses/validate', () => {
  it('answers VALID with the license and echoes the nonce, signed', async () => {
    const { key, id } = await makeLicense(s, { tokens: 10, email: 'buyer@example.com', name: 'Buyer' });
    const r = await post('validate', { key, nonce: 'abc-123' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      valid: true, code: 'VALID', license: {
        id, product: 'plugin', status: 'active', expiresAt: null, lock: 'none', maxActivations: null, activations: 0,
        tokens: { remaining: 10, total: 10 },
      },
      meta: { nonce: 'abc-123' },
    });
    expect(Date.parse(r.json.meta.ts)).toBeGreaterThan(Date.now() - 60_000);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('content-encoding')).toBeNull();
    expect(await signatureValid(s, r)).toBe(true);
    // The public API never returns personal data.
    expect(r.raw.toString()).not.toMatch(/buyer@example\.com|Buyer/);
  });

  it('matches a key ignoring case, spaces and dashes', async () => {
    const { key } = await makeLicense(s);
    for (const variant of [key.toLowerCase(), key.replaceAll('-', ''), key.replaceAll('-', ' ')]) {
      expect((await post('validate', { key: variant })).json.code).toBe('VALID');
    }
  });

  it('answers NOT_FOUND with a null license, as 200', async () => {
    const r = await post('validate', { key: 'NOPE0-NOPE0-NOPE0' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ valid: false, code: 'NOT_FOUND', license: null });
    expect(r.json.meta.nonce).toBeUndefined();
    expect(await signatureValid(s, r)).toBe(true);
  });

  it('answers REVOKED, SUSPENDED and EXPIRED', async () => {
    const revoked = await makeLicense(s);
    await s.admin('POST', `/v1/admin/licenses/${revoked.id}/actions/revoke`, {});
    expect((await post('validate', { key: revoked.key })).json).toMatchObject({ valid: false, code: 'REVOKED', license: { status: 'revoked' } });

    const suspended = await makeLicense(s);
    await s.admin('POST', `/v1/admin/licenses/${suspended.id}/actions/suspend`, {});
    expect((await post('validate', { key: suspended.key })).json).toMatchObject({ code: 'SUSPENDED', license: { status: 'suspended' } });

    const expired = await makeLicense(s, { expiresAt: '2020-01-01T00:00:00Z' });
    expect((await post('validate', { key: expired.key })).json).toMatchObject({
      code: 'EXPIRED', license: { status: 'expired', expiresAt: '2020-01-01T00:00:00.000Z' },
    });
  });

  it('answers PRODUCT_MISMATCH for another product, by slug or id', async () => {
    const { key, license } = await makeLicense(s, {}, 'theme');
    expect((await post('validate', { key, product: 'plugin' })).json.code).toBe('PRODUCT_MISMATCH');
    expect((await post('validate', { key, product: 'theme' })).json.code).toBe('VALID');
    const prod = await s.admin('GET', '/v1/admin/products/theme');
    expect(prod.json.product.slug).toBe(license.product);
    expect((await post('validate', { key, product: prod.json.product.id })).json.code).toBe('VALID');
  });

  it('answers DOMAIN_REQUIRED, NOT_ACTIVATED and VALID for a domain-locked key', async () => {
    const { key } = await makeLicense(s, { lock: 'domain', maxActivations: 2 });
    expect((await post('validate', { key })).json.code).toBe('DOMAIN_REQUIRED');
    expect((await post('validate', { key, device: DEVICE })).json.code).toBe('DOMAIN_REQUIRED');
    expect((await post('validate', { key, domain: 'shop.com' })).json.code).toBe('NOT_ACTIVATED');
    expect((await post('activate', { key, domain: 'https://www.Shop.com/checkout' })).status).toBe(201);
    expect((await post('validate', { key, domain: 'shop.com' })).json.code).toBe('VALID');
    expect((await post('validate', { key, domain: 'http://WWW.shop.com.:8080/x' })).json.code).toBe('VALID');
    expect((await post('validate', { key, domain: 'other.com' })).json.code).toBe('NOT_ACTIVATED');
  });

  it('answers DEVICE_REQUIRED, NOT_ACTIVATED and VALID for a device-locked key', async () => {
    const { key } = await makeLicense(s, { lock: 'device', maxActivations: 1 });
    expect((await post('validate', { key })).json.code).toBe('DEVICE_REQUIRED');
    expect((await post('validate', { key, device: DEVICE })).json.code).toBe('NOT_ACTIVATED');
    expect((await post('activate', { key, device: DEVICE.toLowerCase() })).status).toBe(201);
    expect((await post('validate', { key, device: DEVICE })).json.code).toBe('VALID');
  });

  it('answers TOKENS_EXHAUSTED when the budget is spent', async () => {
    const { key } = await makeLicense(s, { tokens: 2 });
    expect((await post('consume', { key, amount: 2 })).status).toBe(200);
    expect((await post('validate', { key })).json).toMatchObject({ valid: false, code: 'TOKENS_EXHAUSTED', license: { tokens: { remaining: 0, total: 2 } } });
  });

  it('answers SUSPENDED for every key of a suspended account', async () => {
    const acc = await s.admin('POST', '/v1/admin/accounts', { name: 'Client' });
    expect(acc.status).toBe(201);
    const tok = acc.json.token as string;
    await s.call('POST', '/v1/admin/products', { name: 'P', slug: 'p' }, { token: tok });
    const lic = await s.call('POST', '/v1/admin/licenses', { product: 'p' }, { token: tok });
    expect((await post('validate', { key: lic.json.key })).json.code).toBe('VALID');
    await s.admin('POST', `/v1/admin/accounts/${acc.json.account.id}/actions/suspend`, {});
    expect((await post('validate', { key: lic.json.key })).json).toMatchObject({ code: 'SUSPENDED' });
    await s.admin('POST', `/v1/admin/accounts/${acc.json.account.id}/actions/reinstate`, {});
    expect((await post('validate', { key: lic.json.key })).json.code).toBe('VALID');
  });
});

describe('POST /v1/licenses/activate', () => {
  it('creates an activation (201), repeats idempotently (200) and enforces the limit (409)', async () => {
    const { key } = await makeLicense(s, { lock: 'domain', maxActivations: 1 });
    const first = await post('activate', { key, domain: 'alpha.com', label: 'Main site' });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      activation: { domain: 'alpha.com', device: null, label: 'Main site', development: false },
      license: { activations: 1, maxActivations: 1 },
    });
    expect(first.json.activation.id).toMatch(/^act_/);
    expect(await signatureValid(s, first)).toBe(true);
    const again = await post('activate', { key, domain: 'www.alpha.com' });
    expect(again.status).toBe(200);
    expect(again.json.activation.id).toBe(first.json.activation.id);
    const over = await post('activate', { key, domain: 'beta.com' });
    expect(over.status).toBe(409);
    expect(over.json).toMatchObject({ code: 'ACTIVATION_LIMIT_REACHED', status: 409 });
    expect(over.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await signatureValid(s, over)).toBe(true);
  });

  it('activates development hosts without using a seat', async () => {
    const { key } = await makeLicense(s, { lock: 'domain', maxActivations: 1 });
    for (const host of ['localhost:8080', 'mysite.local', 'staging.client.com', 'site.wpengine.com', '192.168.0.4', 'x.test']) {
      const r = await post('activate', { key, domain: host });
      expect(r.status).toBe(201);
      expect(r.json.activation.development).toBe(true);
      expect(r.json.license.activations).toBe(0);
    }
    expect((await post('activate', { key, domain: 'real.com' })).status).toBe(201);
    expect((await post('validate', { key, domain: 'mysite.local' })).json.code).toBe('VALID');
  });

  it('requires the identifier of a locked key (422) and exactly one for an unlocked key (400)', async () => {
    const dom = await makeLicense(s, { lock: 'domain' });
    expect((await post('activate', { key: dom.key })).json).toMatchObject({ status: 422, code: 'DOMAIN_REQUIRED' });
    const dev = await makeLicense(s, { lock: 'device' });
    expect((await post('activate', { key: dev.key, domain: 'a.com' })).json).toMatchObject({ status: 422, code: 'DEVICE_REQUIRED' });
    const free = await makeLicense(s);
    expect((await post('activate', { key: free.key })).json).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect((await post('activate', { key: free.key, domain: 'a.com', device: DEVICE })).json).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect((await post('activate', { key: free.key, device: DEVICE })).status).toBe(201);
    expect((await post('activate', { key: free.key, domain: 'a.com' })).status).toBe(201);
  });

  it('refuses unknown, revoked, suspended, expired and other-product keys', async () => {
    expect((await post('activate', { key: 'UNKNOWN-KEY-123', domain: 'a.com' })).json).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const cases: Array<[string, () => Promise<{ key: string }>, Record<string, string>]> = [
      ['REVOKED', async () => { const l = await makeLicense(s); await s.admin('POST', `/v1/admin/licenses/${l.id}/actions/revoke`, {}); return l; }, {}],
      ['SUSPENDED', async () => { const l = await makeLicense(s); await s.admin('POST', `/v1/admin/licenses/${l.id}/actions/suspend`, {}); return l; }, {}],
      ['EXPIRED', () => makeLicense(s, { expiresAt: '2021-01-01T00:00:00Z' }), {}],
      ['PRODUCT_MISMATCH', () => makeLicense(s), { product: 'theme' }],
    ];
    for (const [code, make, extra] of cases) {
      const { key } = await make();
      const r = await post('activate', { key, domain: 'a.com', ...extra });
      expect(r.status, code).toBe(422);
      expect(r.json.code).toBe(code);
      expect(await signatureValid(s, r)).toBe(true);
    }
  });
});

describe('POST /v1/licenses/deactivate', () => {
  it('frees a seat, whatever the status, and answers NOT_ACTIVATED for an inactive domain', async () => {
    const { key, id } = await makeLicense(s, { lock: 'domain', maxActivations: 1 });
    await post('activate', { key, domain: 'one.com' });
    await s.admin('POST', `/v1/admin/licenses/${id}/actions/suspend`, {});
    const r = await post('deactivate', { key, domain: 'https://one.com/' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ deactivated: true, license: { activations: 0, status: 'suspended' } });
    expect(await signatureValid(s, r)).toBe(true);
    const again = await post('deactivate', { key, domain: 'one.com' });
    expect(again.json).toMatchObject({ status: 404, code: 'NOT_ACTIVATED' });
    await s.admin('POST', `/v1/admin/licenses/${id}/actions/reinstate`, {});
    expect((await post('activate', { key, domain: 'two.com' })).status).toBe(201);
    expect((await post('deactivate', { key: 'NO-SUCH-KEY-1', domain: 'two.com' })).json).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('lets an expired licensee free a device', async () => {
    const { key, id } = await makeLicense(s, { lock: 'device', maxActivations: 1 });
    await post('activate', { key, device: DEVICE });
    await s.admin('PATCH', `/v1/admin/licenses/${id}`, { expiresAt: '2020-01-01T00:00:00Z' });
    expect((await post('deactivate', { key, device: DEVICE })).status).toBe(200);
  });
});

describe('POST /v1/licenses/consume', () => {
  it('consumes tokens and reports the balance', async () => {
    const { key } = await makeLicense(s, { tokens: 10 });
    const r = await post('consume', { key, amount: 3 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ consumed: 3, remaining: 7, license: { tokens: { remaining: 7, total: 10 } } });
    expect(await signatureValid(s, r)).toBe(true);
  });

  it('refuses more than remains (409) and consumes nothing', async () => {
    const { key } = await makeLicense(s, { tokens: 5 });
    const r = await post('consume', { key, amount: 6 });
    expect(r.json).toMatchObject({ status: 409, code: 'INSUFFICIENT_TOKENS' });
    expect((await post('validate', { key })).json.license.tokens.remaining).toBe(5);
  });

  it('checks NOT_FOUND, status, then budget, in that order', async () => {
    expect((await post('consume', { key: 'NO-SUCH-KEY-2', amount: 1 })).json).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const noBudget = await makeLicense(s);
    expect((await post('consume', { key: noBudget.key, amount: 1 })).json).toMatchObject({ status: 422, code: 'NO_TOKEN_BUDGET' });
    const revoked = await makeLicense(s);
    await s.admin('POST', `/v1/admin/licenses/${revoked.id}/actions/revoke`, {});
    expect((await post('consume', { key: revoked.key, amount: 1 })).json).toMatchObject({ status: 422, code: 'REVOKED' });
    const suspended = await makeLicense(s, { tokens: 5 });
    await s.admin('POST', `/v1/admin/licenses/${suspended.id}/actions/suspend`, {});
    expect((await post('consume', { key: suspended.key, amount: 9 })).json).toMatchObject({ status: 422, code: 'SUSPENDED' });
    const expired = await makeLicense(s, { tokens: 5, expiresAt: '2020-01-01T00:00:00Z' });
    expect((await post('consume', { key: expired.key, amount: 1 })).json).toMatchObject({ status: 422, code: 'EXPIRED' });
  });

  it('answers a repeated idempotency key with the first answer, and refuses another amount', async () => {
    const { key } = await makeLicense(s, { tokens: 10 });
    const first = await post('consume', { key, amount: 4, idempotencyKey: 'order-1' });
    const again = await post('consume', { key: key.toLowerCase(), amount: 4, idempotencyKey: 'order-1' });
    expect(again.status).toBe(200);
    expect(again.raw.equals(first.raw)).toBe(true);
    expect((await post('validate', { key })).json.license.tokens.remaining).toBe(6);
    const other = await post('consume', { key, amount: 5, idempotencyKey: 'order-1' });
    expect(other.json).toMatchObject({ status: 422, code: 'IDEMPOTENCY_MISMATCH' });
    expect(await signatureValid(s, other)).toBe(true);
    // The first answer is repeated whatever its status: a refused consume stays refused.
    const refused = await post('consume', { key, amount: 100, idempotencyKey: 'order-2' });
    expect(refused.status).toBe(409);
    await s.admin('POST', `/v1/admin/licenses/${(await post('validate', { key })).json.license.id}/actions/add-tokens`, { amount: 1000 });
    const replay = await post('consume', { key, amount: 100, idempotencyKey: 'order-2' });
    expect(replay.status).toBe(409);
    expect(replay.raw.equals(refused.raw)).toBe(true);
  });

  it('forgets idempotency keys after 24 hours', async () => {
    const { key } = await makeLicense(s, { tokens: 10 });
    await post('consume', { key, amount: 1, idempotencyKey: 'daily' });
    s.clock.now = Date.now() + 24 * 3600 * 1000 + 1000;
    try {
      const later = await post('consume', { key, amount: 1, idempotencyKey: 'daily' });
      expect(later.json.remaining).toBe(8);
    } finally {
      s.clock.now = null;
    }
  });
});

describe('browser clients', () => {
  it('allows any origin, exposes the signature and answers preflights', async () => {
    const { key } = await makeLicense(s);
    const r = await s.call('POST', '/v1/licenses/validate', { key }, { headers: { origin: 'https://app.example.com' } });
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('access-control-expose-headers')).toMatch(/BatchKeys-Signature/);
    // Without Origin the caller is not a browser: the CORS headers are left out.
    const plain = await s.call('POST', '/v1/licenses/validate', { key });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    expect(plain.headers.get('access-control-expose-headers')).toBeNull();
    expect(plain.headers.get('batchkeys-signature')).toMatch(/^ed25519=/);
    const pre = await s.call('OPTIONS', '/v1/licenses/activate', undefined, {
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
    expect(await signatureValid(s, pre)).toBe(true);
    expect((await s.call('GET', '/v1/signing-key')).headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('request errors', () => {
  it.each([
    ['malformed JSON', '{"key":', 'VALIDATION_ERROR'],
    ['a JSON array', '[1,2]', 'VALIDATION_ERROR'],
    ['an empty body', '', 'VALIDATION_ERROR'],
  ])('answers 400 for %s, signed', async (_what, raw, code) => {
    const r = await s.call('POST', '/v1/licenses/validate', undefined, { raw, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code, status: 400, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await signatureValid(s, r)).toBe(true);
  });

  it('refuses unknown fields, wrong types and over-long values with the field named', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['validate', { key: 'K', extra: 1 }, 'extra'],
      ['validate', { key: 5 }, 'key'],
      ['validate', { key: 'K'.repeat(257) }, 'key'],
      ['validate', { key: 'K', nonce: 'n'.repeat(129) }, 'nonce'],
      ['validate', { key: 'K', domain: 'a'.repeat(250) + '.com' }, 'domain'],
      ['validate', { key: 'K', domain: 'not a domain' }, 'domain'],
      ['validate', { key: 'K', device: 'not-a-uuid' }, 'device'],
      ['activate', { key: 'K', domain: 'a.com', label: 'l'.repeat(101) }, 'label'],
      ['consume', { key: 'K', amount: 0 }, 'amount'],
      ['consume', { key: 'K', amount: 1_000_001 }, 'amount'],
      ['consume', { key: 'K', amount: 1.5 }, 'amount'],
      ['consume', { key: 'K' }, 'amount'],
      ['consume', { key: 'K', amount: 1, idempotencyKey: 'i'.repeat(129) }, 'idempotencyKey'],
    ];
    for (const [path, body, field] of cases) {
      const r = await post(path, body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.json.code).toBe('VALIDATION_ERROR');
      expect(r.json.errors.map((e: { path: string }) => e.path)).toContain(field);
    }
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 16 KiB, signed', async () => {
    const r = await post('validate', { key: 'K', nonce: 'x'.repeat(17 * 1024) });
    expect(r.status).toBe(413);
    expect(r.json.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await signatureValid(s, r)).toBe(true);
  });

  it('answers unknown license endpoints and wrong methods with signed problems, never HTML', async () => {
    const r = await s.call('POST', '/v1/licenses/nope', {});
    expect(r.status).toBe(404);
    expect(await signatureValid(s, r)).toBe(true);
    const m = await s.call('GET', '/v1/licenses/validate');
    expect(m.status).toBe(405);
    expect(m.json.code).toBe('METHOD_NOT_ALLOWED');
    const other = await s.call('GET', '/nowhere');
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
