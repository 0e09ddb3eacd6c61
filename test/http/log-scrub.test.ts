import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKey, normalizeKey } from '../../server/crypto/keys.js';

/**
 * The promise "logs never contain a key, token, password, cookie or Authorization header",
 * checked end to end: the built server runs as an operator runs it, at trace level, shipping its
 * logs to a loopback collector; every endpoint is driven with secrets in every place a client can
 * put one; then all output (standard output, standard error, every line the collector received)
 * is searched for every secret. The server must also have logged the requests, error paths
 * included, or the search would prove nothing.
 */

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'batchkeys-log-scrub-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const rnd = (n: number) => randomBytes(n).toString('base64url');
/** Not `bk_`-shaped: only the context (Authorization, Bearer) can give it away to the scrubber. */
const BOOTSTRAP = `Op-${rnd(24)}`;
const IMPORTED = `legacy shop key ${rnd(9)}`;
const IMPORTED_2 = `IMPORTED/${rnd(12)}`;
const WRONG_KEY = generateKey('GAL');
const WRONG_IMPORTED = `not-a-key-${rnd(10)}`;
const WRONG_TOKEN = `bk_${rnd(32)}`;
const WRONG_TOKEN_2 = `WrongToken-${rnd(20)}`;
const PASSWORD = `pw-${rnd(12)}`;
const COOKIE = `ck-${rnd(16)}`;
const COLLECTOR_PASSWORD = `collector-${rnd(10)}`;
const LONG_KEY = `LONG${rnd(200)}`;

const secrets: string[] = [BOOTSTRAP, IMPORTED, IMPORTED_2, WRONG_KEY, WRONG_IMPORTED, WRONG_TOKEN, WRONG_TOKEN_2, PASSWORD, COOKIE, COLLECTOR_PASSWORD, LONG_KEY];
/** A key in the forms a client may send it in: as issued, lower case, without dashes. */
function addKey(key: string) {
  secrets.push(key, key.toLowerCase(), normalizeKey(key), normalizeKey(key).toLowerCase());
  const bare = key.split('-').slice(-6).join('-');
  if (bare !== key) secrets.push(bare, normalizeKey(bare));
}
addKey(WRONG_KEY);

// The collector ----------------------------------------------------------------------------

const received: string[] = [];
const collectorAuth: string[] = [];
let collector: Server;

async function startCollector(): Promise<string> {
  collector = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      collectorAuth.push(req.headers.authorization ?? '');
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port } = collector.address() as AddressInfo;
  return `http://ingest:${COLLECTOR_PASSWORD}@127.0.0.1:${port}/ingest`;
}

// The server -------------------------------------------------------------------------------

let child: ChildProcess;
let base = '';
const stdout: string[] = [];
const stderr: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function serve(collectorUrl: string): Promise<void> {
  const port = await freePort();
  child = spawn(process.execPath, [join(root, 'bin', 'batchkeys.js'), 'serve'], {
    env: {
      ...process.env, BATCHKEYS_DATA_DIR: dataDir, BATCHKEYS_PORT: String(port), BATCHKEYS_BOOTSTRAP_TOKEN: BOOTSTRAP,
      BATCHKEYS_LOG_LEVEL: 'trace', BATCHKEYS_LOG_COLLECTOR_URL: collectorUrl,
      BATCHKEYS_RATE_LIMIT: '100000', BATCHKEYS_KEY_RATE_LIMIT: '20', BATCHKEYS_STORE: 'sqlite',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => stdout.push(c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => stderr.push(c.toString('utf8')));
  base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await call('GET', '/v1/signing-key', {}, undefined, false)).status === 200) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${stderr.join('')}`);
}

// Requests ---------------------------------------------------------------------------------

interface Reply { status: number; json: any } // eslint-disable-line @typescript-eslint/no-explicit-any
const made: Array<{ method: string; path: string; status: number }> = [];

/** One request over node:http (any header, any body, chunked or not), answered within 10 s. */
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer, record = true, chunked = false): Promise<Reply> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const h: Record<string, string | number> = { ...headers };
    if (payload && !chunked) h['content-length'] = payload.length;
    if (payload) h['content-type'] ??= 'application/json';
    let done = false;
    const finish = (status: number, text: string) => {
      if (done) return;
      done = true;
      if (record) made.push({ method, path: path.split('?')[0]!, status });
      let json: unknown = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      resolve({ status, json });
    };
    const req = request(`${base}${path}`, { method, headers: h, timeout: 10_000, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => finish(res.statusCode ?? 0, ''));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => finish(0, ''));
    if (payload && chunked) {
      // Several chunks, without a content-length: the size limit must hold while reading.
      for (let i = 0; i < payload.length; i += 4096) req.write(payload.subarray(i, i + 4096));
      req.end();
    } else {
      req.end(payload);
    }
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const admin = (method: string, path: string, body?: unknown, token = BOOTSTRAP) =>
  call(method, path, bearer(token), body === undefined ? undefined : JSON.stringify(body));
const pub = (action: string, body: unknown) => call('POST', `/v1/licenses/${action}`, {}, JSON.stringify(body));

/** The same request with every wrong credential a client might send. */
async function withBadCredentials(method: string, path: string, body?: string): Promise<void> {
  const variants: Array<Record<string, string>> = [
    {},
    bearer(WRONG_TOKEN),
    bearer(WRONG_TOKEN_2),
    { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` },
    { authorization: `Token ${WRONG_TOKEN_2}` },
    { cookie: `session=${COOKIE}; bk_token=${WRONG_TOKEN}; password=${PASSWORD}` },
    { authorization: BOOTSTRAP },
    { 'x-api-key': WRONG_TOKEN_2 },
  ];
  for (const headers of variants) await call(method, path, headers, body);
}

function stopServer(): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// The test ---------------------------------------------------------------------------------

describe('log scrubbing, end to end', () => {
  it('keeps every key, token, password and cookie out of all output and all shipped lines', { timeout: 120_000 }, async () => {
    await serve(await startCollector());
    try {
      // Admin set-up: a product, a policy, licenses with generated and imported keys, tokens, an account.
      expect((await admin('POST', '/v1/admin/products', { name: 'Gallery', slug: 'gallery', keyPrefix: 'GAL' })).status).toBe(201);
      const product = (await admin('GET', '/v1/admin/products/gallery')).json.product;
      const policy = (await admin('POST', '/v1/admin/policies', { product: 'gallery', name: 'Std', lock: 'domain', maxActivations: 3 })).json.policy;
      const lic1 = await admin('POST', '/v1/admin/licenses', { product: 'gallery', lock: 'domain', maxActivations: 3, tokens: 100, email: 'ana@example.com', name: 'Ana' });
      expect(lic1.status).toBe(201);
      const KEY = lic1.json.key as string;
      addKey(KEY);
      const lic2 = await admin('POST', '/v1/admin/licenses', { product: 'gallery', key: IMPORTED, tokens: 10 });
      expect(lic2.status).toBe(201);
      const lic3 = await admin('POST', '/v1/admin/licenses', { product: 'gallery', policy: policy.id });
      const KEY3 = lic3.json.key as string;
      addKey(KEY3);
      const readToken = await admin('POST', '/v1/admin/tokens', { name: 'ci', scopes: ['read'] });
      const adminToken = await admin('POST', '/v1/admin/tokens', { name: 'second admin', scopes: ['admin'] });
      const READ = readToken.json.token as string;
      const ADMIN2 = adminToken.json.token as string;
      secrets.push(READ, ADMIN2);
      const account = await admin('POST', '/v1/admin/accounts', { name: 'Other vendor' });
      expect(account.status).toBe(201);
      secrets.push(account.json.token as string);

      // Public license API: real and wrong keys in every form, on every endpoint.
      const domain = 'shop.example.com';
      for (const key of [KEY, KEY.toLowerCase(), normalizeKey(KEY).toLowerCase(), ` ${KEY.replace(/-/g, ' ')} `]) {
        await pub('validate', { key, domain, nonce: 'n1' });
      }
      expect((await pub('activate', { key: KEY, domain })).status).toBe(201);
      await pub('activate', { key: KEY, domain });
      await pub('activate', { key: KEY });
      await pub('validate', { key: KEY, domain: 'other.example.org' });
      expect((await pub('consume', { key: KEY, amount: 5, idempotencyKey: 'job-1' })).status).toBe(200);
      await pub('consume', { key: KEY, amount: 5, idempotencyKey: 'job-1' });
      await pub('consume', { key: KEY, amount: 6, idempotencyKey: 'job-1' });
      await pub('consume', { key: KEY, amount: 1_000_000 });
      await pub('deactivate', { key: KEY, domain });
      await pub('deactivate', { key: KEY, domain });
      await pub('activate', { key: IMPORTED, device: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', label: 'laptop' });
      await pub('activate', { key: IMPORTED, device: '9b2c1f00-0000-4000-8000-00000000abcd' });
      await pub('activate', { key: IMPORTED, domain, device: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
      await pub('validate', { key: IMPORTED });
      await pub('consume', { key: IMPORTED, amount: 2 });
      await pub('consume', { key: KEY3, amount: 2 });
      await pub('deactivate', { key: IMPORTED, device: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
      for (const action of ['validate', 'activate', 'deactivate', 'consume']) {
        for (const key of [WRONG_KEY, WRONG_IMPORTED, LONG_KEY]) await pub(action, action === 'consume' ? { key, amount: 1 } : { key, domain });
        await pub(action, { key: KEY, domain, password: PASSWORD, token: WRONG_TOKEN });
        await call('POST', `/v1/licenses/${action}`, {}, `{"key":"${KEY}","domain":`);
        await call('POST', `/v1/licenses/${action}`, {}, `{"key":"${IMPORTED}", "password": "${PASSWORD}"`);
        await call('POST', `/v1/licenses/${action}`, {}, `key=${encodeURIComponent(IMPORTED)}&token=${WRONG_TOKEN}`, true);
        const big = JSON.stringify({ key: KEY, domain, padding: 'x'.repeat(17 * 1024), password: PASSWORD });
        await call('POST', `/v1/licenses/${action}`, {}, big);
        await call('POST', `/v1/licenses/${action}`, {}, big, true, true);
        await call('GET', `/v1/licenses/${action}`, bearer(WRONG_TOKEN));
        await call('OPTIONS', `/v1/licenses/${action}`, { cookie: `sid=${COOKIE}` });
        await withBadCredentials('POST', `/v1/licenses/${action}`, JSON.stringify({ key: KEY3 }));
      }
      await call('POST', `/v1/licenses/${KEY}`, {}, JSON.stringify({ key: KEY }));
      await call('POST', `/v1/licenses/${encodeURIComponent(KEY3)}?key=${encodeURIComponent(IMPORTED)}&token=${WRONG_TOKEN}`, {}, '{}');
      // The per-key limit (20 a minute) refuses the rest with 429.
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await pub('validate', { key: KEY3, domain })).status);
      expect(statuses).toContain(429);
      for (const path of ['/v1/signing-key', '/healthz', '/openapi.json', '/docs', '/v1/privacy/policy', `/nothing/${KEY}?q=${encodeURIComponent(IMPORTED)}`]) {
        await call('GET', path, { ...bearer(WRONG_TOKEN), cookie: `sid=${COOKIE}` });
      }

      // Admin API: every route of the OpenAPI document, with the good token, then with bad credentials.
      const activations = await admin('GET', `/v1/admin/licenses/${lic1.json.license.id}/activations?all=true`);
      const subjectRequest = await admin('POST', '/v1/admin/privacy/requests', {
        kind: 'access', subject: { kind: 'email', value: 'ana@example.com' }, instruction: `customer wrote: my key is ${KEY}, password ${PASSWORD}`,
      });
      const ids: Record<string, string> = {
        products: product.id, policies: policy.id, licenses: lic1.json.license.id, activations: activations.json?.items?.[0]?.id ?? 'act_none',
        tokens: readToken.json.record.id, accounts: account.json.account.id, requests: subjectRequest.json?.request?.id ?? 'dsr_none',
      };
      const device = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
      const bodies: Record<string, unknown> = {
        'post /v1/admin/products': { name: 'Themes', slug: 'themes', keyPrefix: 'THM' },
        'patch /v1/admin/products/{id}': { name: 'Gallery Pro' },
        'post /v1/admin/policies': { product: 'gallery', name: 'Pro', lock: 'device', tokens: 50 },
        'patch /v1/admin/policies/{id}': { name: 'Standard' },
        'post /v1/admin/licenses': { product: 'gallery', key: IMPORTED_2, email: 'bo@example.com' },
        'patch /v1/admin/licenses/{id}': { name: 'Ana B.', metadata: { note: `customer said key=${IMPORTED}` } },
        'post /v1/admin/licenses/{id}/actions/renew': { days: 30 },
        'post /v1/admin/licenses/{id}/actions/add-tokens': { amount: 5 },
        'post /v1/admin/tokens': { name: 'third', scopes: ['write'] },
        'post /v1/admin/accounts': { name: 'Third vendor' },
        'post /v1/admin/privacy/subjects/search': { kind: 'email', value: 'ana@example.com' },
        'post /v1/admin/privacy/subjects/export': { kind: 'domain', value: domain, format: 'csv' },
        'post /v1/admin/privacy/subjects/rectify': { email: 'ana@example.com', set: { name: 'Ana C.' } },
        'post /v1/admin/privacy/subjects/erase': { kind: 'device', value: device },
        'post /v1/admin/privacy/requests': { kind: 'erase', subject: { kind: 'ip', value: '203.0.113.9' }, instruction: `revoke ${KEY3}` },
        'post /v1/admin/privacy/requests/{id}/actions/complete': { artefact: { note: `done; token=${WRONG_TOKEN}` } },
        'post /v1/admin/breach-reports': { from: '2026-01-01T00:00:00Z', to: new Date(Date.now() + 60_000).toISOString(), token: readToken.json.record.id },
      };
      const doc = (await call('GET', '/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
      const ops: Array<{ method: string; template: string }> = [];
      for (const [template, item] of Object.entries(doc.paths)) {
        if (!template.startsWith('/v1/admin')) continue;
        for (const method of Object.keys(item)) {
          if (['get', 'post', 'patch', 'put', 'delete'].includes(method)) ops.push({ method, template });
        }
      }
      // An unknown resource gets a key as its id: the "no such ..." error then holds a key.
      const concrete = (template: string) => template.replace(/\/([a-z-]+)\/\{[^}]+\}/g, (_m, resource: string) => `/${resource}/${ids[resource] ?? KEY}`);
      expect(ops.length).toBeGreaterThanOrEqual(25);
      const rank = (m: string) => ({ get: 0, post: 1, patch: 1, put: 1, delete: 2 })[m] ?? 1;
      ops.sort((a, b) => rank(a.method) - rank(b.method) || Number(a.template.includes('/accounts/')) - Number(b.template.includes('/accounts/')));
      for (const op of ops) {
        const path = concrete(op.template);
        const known = bodies[`${op.method} ${op.template}`];
        const body = op.method === 'get' || op.method === 'delete' ? undefined
          : JSON.stringify(known ?? (op.template.endsWith('/actions/renew') ? { days: 1 } : {}));
        const reply = await call(op.method.toUpperCase(), path, bearer(BOOTSTRAP), body);
        for (const k of ['key', 'token']) {
          if (typeof reply.json?.[k] === 'string') secrets.push(reply.json[k] as string);
        }
        await call(op.method.toUpperCase(), path, bearer(READ), body);
        await withBadCredentials(op.method.toUpperCase(), path, body);
        if (body !== undefined) {
          await call(op.method.toUpperCase(), path, bearer(ADMIN2), JSON.stringify({ ...((known ?? {}) as object), key: WRONG_IMPORTED, password: PASSWORD, token: WRONG_TOKEN }));
          await call(op.method.toUpperCase(), path, bearer(ADMIN2), `{"key":"${IMPORTED}","password":"${PASSWORD}",`);
        }
      }
      // Reveal the keys, find licenses by key, bad JSON and oversized bodies holding keys.
      expect((await admin('GET', `/v1/admin/licenses/${lic2.json.license.id}/key`)).json?.key).toBe(IMPORTED);
      await admin('GET', `/v1/admin/licenses/${lic1.json.license.id}/key`);
      await admin('GET', `/v1/admin/licenses?q=${encodeURIComponent(KEY)}`);
      await admin('GET', `/v1/admin/licenses?q=${encodeURIComponent(IMPORTED)}&limit=5`);
      await admin('GET', `/v1/admin/products/${encodeURIComponent(KEY)}`);
      await admin('GET', `/v1/admin/licenses/${encodeURIComponent(KEY3)}`);
      await call('POST', '/v1/admin/licenses', bearer(BOOTSTRAP), `{"product":"gallery","key":"${IMPORTED_2}",}`);
      await call('POST', '/v1/admin/licenses', bearer(BOOTSTRAP), JSON.stringify({ product: 'gallery', key: IMPORTED_2, metadata: { pad: 'x'.repeat(300 * 1024) } }));
      await call('POST', '/v1/admin/licenses', bearer(BOOTSTRAP), JSON.stringify({ product: 'gallery', key: LONG_KEY + LONG_KEY }));
      await call('POST', '/v1/admin/tokens', { ...bearer(BOOTSTRAP), cookie: `sid=${COOKIE}` }, JSON.stringify({ name: `token ${WRONG_TOKEN}`, scopes: ['root'] }));
    } finally {
      await stopServer();
      await new Promise((resolve) => collector.close(resolve));
    }

    // Every secret, in every form, is absent from everything the server wrote or shipped.
    const everything = [...stdout, ...stderr, ...received, ...collectorAuth.filter((a) => !a.startsWith('Basic '))].join('\n');
    expect(secrets.length).toBeGreaterThan(30);
    for (const secret of new Set(secrets)) expect(everything, `a secret (${secret.length} chars) leaked`).not.toContain(secret);

    // The search means something only if the server logged the requests, the error paths included.
    const local = stderr.join('').split('\n').filter((l) => l.startsWith('{'));
    const lines = local.map((l) => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    const access = lines.filter((l) => l.msg === 'request');
    expect(made.length).toBeGreaterThan(300);
    expect(access.length, 'one debug access line ("request") per request, from logAccess').toBeGreaterThanOrEqual(made.filter((m) => m.status > 0).length);
    const loggedStatuses = new Set(access.map((l) => l.status as number));
    for (const status of [200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 422, 429]) expect(loggedStatuses, `no access line with status ${status}`).toContain(status);
    expect(access.some((l) => l.path === '/v1/licenses/[redacted]')).toBe(true);
    const errors = lines.filter((l) => l.err);
    expect(errors.length).toBeGreaterThan(20);
    expect(errors.some((l) => String(l.err.message).includes('[redacted]')), 'no logged error message had a secret to scrub').toBe(true);
    expect(errors.some((l) => /bytes omitted/.test(String(l.err.body))), 'no logged body-parser error').toBe(true);

    // The collector received the same (scrubbed) lines, as NDJSON, and nothing else.
    const shipped = received.join('').split('\n').filter(Boolean);
    expect(shipped.length, 'lines shipped to BATCHKEYS_LOG_COLLECTOR_URL').toBeGreaterThanOrEqual(access.length);
    const localSet = new Set(local);
    expect(shipped.filter((l) => !localSet.has(l))).toEqual([]);
    expect(collectorAuth.every((a) => a === `Basic ${Buffer.from(`ingest:${COLLECTOR_PASSWORD}`).toString('base64')}`)).toBe(true);
  });
});
