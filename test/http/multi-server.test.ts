import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, childEnv } from '../cli/helpers.js';
import { freshDatabase, type TestDatabase } from '../helpers/postgres.js';

/**
 * Two real server processes (`batchkeys serve` from dist/) on one PostgreSQL database, with one
 * secrets file, as behind a load balancer: limits, changes and rate counters hold across them.
 */
const BOOTSTRAP = 'bk_test_bootstrap_token_0123456789abcdef';

interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

interface Reply {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** Starts `batchkeys serve` on a port of its choosing; resolves with its URL once it serves. */
function startServer(settings: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env: childEnv({ BATCHKEYS_PORT: '0', BATCHKEYS_BOOTSTRAP_TOKEN: BOOTSTRAP, ...settings }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the server did not start within 30 s:\n${stderr}${stdout}`));
    }, 30_000);
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const m = /serving on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before serving:\n${stderr}${stdout}`));
    });
  });
}

/** A database, a shared secrets file and two servers on them; `stop` undoes it all. */
async function startPair(label: string, settings: Record<string, string>) {
  const db: TestDatabase = await freshDatabase(label);
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'batchkeys-multi-')));
  const common = {
    BATCHKEYS_STORE: 'postgres', BATCHKEYS_DATABASE_URL: db.url,
    BATCHKEYS_SECRETS_FILE: join(dirs[2]!, 'secrets.json'), ...settings,
  };
  const servers: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    // Both at once, as after a deployment: one creates the shared secrets file and bootstraps
    // the store, the other finds them.
    const started = await Promise.allSettled([0, 1].map((i) => startServer({ ...common, BATCHKEYS_DATA_DIR: dirs[i]! })));
    for (const r of started) if (r.status === 'fulfilled') servers.push(r.value);
    for (const r of started) if (r.status === 'rejected') throw r.reason;
  } catch (err) {
    await stop();
    throw err;
  }
  return { a: servers[0]!.url, b: servers[1]!.url, stop };
}

/** Alternates between the two servers. */
const either = (a: string, b: string) => (i: number) => (i % 2 === 0 ? a : b);

describe('two servers on one PostgreSQL', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair('multi', { BATCHKEYS_RATE_LIMIT: '0' });
  });
  afterAll(async () => pair?.stop());

  async function newKey(input: Record<string, unknown>): Promise<{ key: string; id: string }> {
    if ((await call(pair.a, 'GET', '/v1/admin/products/plugin', undefined, BOOTSTRAP)).status === 404) {
      const p = await call(pair.a, 'POST', '/v1/admin/products', { name: 'Plugin', slug: 'plugin' }, BOOTSTRAP);
      expect(p.status).toBe(201);
    }
    const r = await call(pair.a, 'POST', '/v1/admin/licenses', { product: 'plugin', ...input }, BOOTSTRAP);
    expect(r.status).toBe(201);
    return { key: r.json.key as string, id: r.json.license.id as string };
  }

  it('200 simultaneous consumes of 1 token on a 100-token key, split across both, succeed exactly 100 times', async () => {
    const { key, id } = await newKey({ tokens: 100 });
    const on = either(pair.a, pair.b);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => call(on(i), 'POST', '/v1/licenses/consume', { key, amount: 1 })));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(100);
    expect(replies.filter((r) => r.status === 409 && r.json.code === 'INSUFFICIENT_TOKENS')).toHaveLength(100);
    const remaining = replies.filter((r) => r.status === 200).map((r) => r.json.remaining as number).sort((x, y) => x - y);
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const lic = await call(pair.b, 'GET', `/v1/admin/licenses/${id}`, undefined, BOOTSTRAP);
    expect(lic.json.license.tokens).toEqual({ remaining: 0, total: 100 });
  });

  it('an idempotency key sent 20 times at once to both servers consumes once and answers the same everywhere', async () => {
    const { key } = await newKey({ tokens: 50 });
    const on = either(pair.a, pair.b);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      call(on(i), 'POST', '/v1/licenses/consume', { key, amount: 7, idempotencyKey: 'job-1' })));
    expect(replies.every((r) => r.status === 200 && r.json.remaining === 43)).toBe(true);
    expect((await call(pair.b, 'POST', '/v1/licenses/validate', { key })).json.license.tokens.remaining).toBe(43);
  });

  it('50 simultaneous activations on a 3-seat key, split across both, give exactly 3', async () => {
    const { key, id } = await newKey({ lock: 'domain', maxActivations: 3 });
    const on = either(pair.a, pair.b);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      call(on(i), 'POST', '/v1/licenses/activate', { key, domain: `site-${i}.com` })));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(3);
    expect(replies.filter((r) => r.status === 409 && r.json.code === 'ACTIVATION_LIMIT_REACHED')).toHaveLength(47);
    const acts = await call(pair.b, 'GET', `/v1/admin/licenses/${id}/activations`, undefined, BOOTSTRAP);
    expect(acts.json.items).toHaveLength(3);
    expect((await call(pair.a, 'GET', `/v1/admin/licenses/${id}`, undefined, BOOTSTRAP)).json.license.activations).toBe(3);
  });

  it('bootstraps the shared store once although both servers started together', async () => {
    const accounts = await call(pair.b, 'GET', '/v1/admin/accounts', undefined, BOOTSTRAP);
    expect(accounts.status).toBe(200);
    expect(accounts.json.items).toHaveLength(1);
    const tokens = await call(pair.a, 'GET', '/v1/admin/tokens', undefined, BOOTSTRAP);
    expect(tokens.json.items).toHaveLength(1);
  });

  it('a key suspended through one server validates as SUSPENDED on the other at once', async () => {
    const { key, id } = await newKey({});
    expect((await call(pair.b, 'POST', '/v1/licenses/validate', { key })).json.code).toBe('VALID');
    const suspended = await call(pair.a, 'POST', `/v1/admin/licenses/${id}/actions/suspend`, {}, BOOTSTRAP);
    expect(suspended.status).toBe(200);
    const v = await call(pair.b, 'POST', '/v1/licenses/validate', { key });
    expect(v.json).toMatchObject({ valid: false, code: 'SUSPENDED' });
  });
});

describe('two servers on one PostgreSQL with BATCHKEYS_RATE_LIMIT=10', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair('multi_rate', { BATCHKEYS_RATE_LIMIT: '10' });
  });
  afterAll(async () => pair?.stop());

  it('share the per-IP limit: 10 requests spread over both pass, and the 11th is refused on either', async () => {
    // The sliding window weighs the previous minute's count: start early in a minute, so that
    // every request of the test counts in the same one and the arithmetic is exact.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
    const on = either(pair.a, pair.b);
    const validate = (base: string) => call(base, 'POST', '/v1/licenses/validate', { key: 'NO-SUCH-KEY' });
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => validate(on(i))));
    expect(first.map((r) => r.status)).toEqual(Array(10).fill(200));
    for (const base of [pair.a, pair.b]) {
      const over = await validate(base);
      expect(over.status).toBe(429);
      expect(over.json.code).toBe('RATE_LIMITED');
    }
  }, 90_000);
});
