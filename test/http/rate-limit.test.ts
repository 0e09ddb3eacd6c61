import { afterEach, describe, expect, it } from 'vitest';
import { makeLicense, signatureValid, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

describe('rate limiting of the license API', () => {
  it('refuses the request over BATCHKEYS_RATE_LIMIT with a signed 429, Retry-After and RateLimit headers', async () => {
    s = await startTestServer({ BATCHKEYS_RATE_LIMIT: '5' });
    const server = s;
    const statuses: number[] = [];
    let last = null;
    for (let i = 0; i < 6; i++) {
      last = await server.call('POST', '/v1/licenses/validate', { key: `GUESS-${i}-XXXX` });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last!.json).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last!.headers.get('ratelimit-limit')).toBe('5');
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    expect(await signatureValid(server, last!)).toBe(true);
    // The signing key and the admin API are not limited by BATCHKEYS_RATE_LIMIT.
    for (let i = 0; i < 10; i++) expect((await server.call('GET', '/v1/signing-key')).status).toBe(200);
    expect((await server.admin('GET', '/v1/admin/licenses')).status).toBe(200);
  });

  it('uses X-Forwarded-For only from trusted proxies', async () => {
    s = await startTestServer({ BATCHKEYS_RATE_LIMIT: '2', BATCHKEYS_TRUST_PROXY: 'loopback' });
    const server = s;
    const from = (ip: string) => server.call('POST', '/v1/licenses/validate', { key: 'SOME-KEY-123' }, { headers: { 'x-forwarded-for': ip } });
    expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.1')).status).toBe(429);
    expect((await from('203.0.113.2')).status).toBe(200);
  });

  it('ignores X-Forwarded-For without a trusted proxy', async () => {
    s = await startTestServer({ BATCHKEYS_RATE_LIMIT: '2' });
    const server = s;
    const from = (ip: string) => server.call('POST', '/v1/licenses/validate', { key: 'SOME-KEY-123' }, { headers: { 'x-forwarded-for': ip } });
    expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.2')).status).toBe(200);
    expect((await from('203.0.113.3')).status).toBe(429);
  });

  it('limits requests per key across client IPs (a brute-force and abuse guard)', async () => {
    s = await startTestServer({ BATCHKEYS_RATE_LIMIT: '1000', BATCHKEYS_KEY_RATE_LIMIT: '3', BATCHKEYS_TRUST_PROXY: 'loopback' });
    const server = s;
    const { key } = await makeLicense(server);
    const variants = [key, key.toLowerCase(), key.replaceAll('-', ''), key];
    const statuses = [];
    for (let i = 0; i < variants.length; i++) {
      const r = await server.call('POST', '/v1/licenses/validate', { key: variants[i] }, { headers: { 'x-forwarded-for': `198.51.100.${i}` } });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const other = await makeLicense(server);
    expect((await server.call('POST', '/v1/licenses/validate', { key: other.key })).status).toBe(200);
  });

  it('is off with BATCHKEYS_RATE_LIMIT=0', async () => {
    s = await startTestServer({ BATCHKEYS_RATE_LIMIT: '0' });
    const server = s;
    const { key } = await makeLicense(server);
    const replies = await Promise.all(Array.from({ length: 300 }, () => server.call('POST', '/v1/licenses/validate', { key })));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(replies[0]!.headers.get('ratelimit-limit')).toBeNull();
  });
});
