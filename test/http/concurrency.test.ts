import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLicense, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s.close());

const post = (path: string, body: unknown) => s.call('POST', `/v1/licenses/${path}`, body);

describe('limits under concurrency', () => {
  it('200 simultaneous consumes of 1 token on a 100-token key: exactly 100 succeed and 0 remain', async () => {
    const { key, id } = await makeLicense(s, { tokens: 100 });
    const replies = await Promise.all(Array.from({ length: 200 }, () => post('consume', { key, amount: 1 })));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((c) => c === 200)).toHaveLength(100);
    expect(statuses.filter((c) => c === 409)).toHaveLength(100);
    expect(replies.filter((r) => r.status === 409).every((r) => r.json.code === 'INSUFFICIENT_TOKENS')).toBe(true);
    const remaining = replies.filter((r) => r.status === 200).map((r) => r.json.remaining as number).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const lic = await s.admin('GET', `/v1/admin/licenses/${id}`);
    expect(lic.json.license.tokens).toEqual({ remaining: 0, total: 100 });
  });

  it('50 simultaneous activations of different domains on a 3-seat key give exactly 3 activations', async () => {
    const { key, id } = await makeLicense(s, { lock: 'domain', maxActivations: 3 });
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => post('activate', { key, domain: `site-${i}.com` })));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(3);
    expect(replies.filter((r) => r.status === 409 && r.json.code === 'ACTIVATION_LIMIT_REACHED')).toHaveLength(47);
    const acts = await s.admin('GET', `/v1/admin/licenses/${id}/activations`);
    expect(acts.json.items).toHaveLength(3);
    expect((await s.admin('GET', `/v1/admin/licenses/${id}`)).json.license.activations).toBe(3);
  });

  it('the same domain activated 30 times at once makes one activation', async () => {
    const { key, id } = await makeLicense(s, { lock: 'domain', maxActivations: 3 });
    const replies = await Promise.all(Array.from({ length: 30 }, () => post('activate', { key, domain: 'same.com' })));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(29);
    expect(new Set(replies.map((r) => r.json.activation.id)).size).toBe(1);
    expect((await s.admin('GET', `/v1/admin/licenses/${id}`)).json.license.activations).toBe(1);
  });

  it('an idempotency key repeated 20 times in parallel consumes once, and every answer is the first', async () => {
    const { key, id } = await makeLicense(s, { tokens: 50 });
    const replies = await Promise.all(Array.from({ length: 20 }, () => post('consume', { key, amount: 7, idempotencyKey: 'job-42' })));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(new Set(replies.map((r) => r.raw.toString())).size).toBe(1);
    expect(replies[0]!.json.remaining).toBe(43);
    expect((await s.admin('GET', `/v1/admin/licenses/${id}`)).json.license.tokens.remaining).toBe(43);
  });

  it('concurrent activations and deactivations keep the seat count exact', async () => {
    const { key, id } = await makeLicense(s, { lock: 'domain', maxActivations: 5 });
    const ops = Array.from({ length: 60 }, (_, i) =>
      i % 2 === 0 ? post('activate', { key, domain: `d${i % 10}.com` }) : post('deactivate', { key, domain: `d${(i - 1) % 10}.com` }));
    await Promise.all(ops);
    const acts = await s.admin('GET', `/v1/admin/licenses/${id}/activations`);
    const lic = await s.admin('GET', `/v1/admin/licenses/${id}`);
    expect(lic.json.license.activations).toBe(acts.json.items.length);
    expect(acts.json.items.length).toBeLessThanOrEqual(5);
  });
});
