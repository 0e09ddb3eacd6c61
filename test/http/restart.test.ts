import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'batchkeys-restart-'));
const TOKEN = 'bk_restart_test_token_0123456789abcdef';
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `batchkeys serve` from the built CLI, as an operator would, and waits until it answers. */
async function serve(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'bin', 'batchkeys.js'), 'serve'], {
    env: { ...process.env, BATCHKEYS_DATA_DIR: dataDir, BATCHKEYS_PORT: String(port), BATCHKEYS_BOOTSTRAP_TOKEN: TOKEN, BATCHKEYS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/v1/signing-key`)).ok) return { child, url };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('durability', () => {
  it('keeps products, licenses, activations and balances across a clean restart and a kill -9', async () => {
    let { child, url } = await serve();
    const signingKey = (await call(url, 'GET', '/v1/signing-key')).json.publicKey;
    expect((await call(url, 'POST', '/v1/admin/products', { name: 'Durable', slug: 'durable' })).status).toBe(201);
    const lic = await call(url, 'POST', '/v1/admin/licenses', { product: 'durable', lock: 'domain', maxActivations: 2, tokens: 10 });
    const key = lic.json.key as string;
    expect((await call(url, 'POST', '/v1/licenses/activate', { key, domain: 'kept.com' })).status).toBe(201);
    expect((await call(url, 'POST', '/v1/licenses/consume', { key, amount: 3 })).json.remaining).toBe(7);

    child.kill('SIGTERM');
    await exited(child);
    ({ child, url } = await serve());
    let v = await call(url, 'POST', '/v1/licenses/validate', { key, domain: 'kept.com' });
    expect(v.json).toMatchObject({ code: 'VALID', license: { activations: 1, tokens: { remaining: 7 } } });
    expect((await call(url, 'GET', '/v1/signing-key')).json.publicKey).toBe(signingKey);

    // Acknowledged writes survive an abrupt kill.
    expect((await call(url, 'POST', '/v1/licenses/consume', { key, amount: 2 })).json.remaining).toBe(5);
    expect((await call(url, 'POST', '/v1/licenses/activate', { key, domain: 'second.com' })).status).toBe(201);
    const suspended = await call(url, 'POST', `/v1/admin/licenses/${lic.json.license.id}/actions/suspend`, {});
    expect(suspended.json.license.status).toBe('suspended');
    child.kill('SIGKILL');
    await exited(child);
    ({ child, url } = await serve());
    v = await call(url, 'POST', '/v1/licenses/validate', { key, domain: 'second.com' });
    expect(v.json).toMatchObject({ code: 'SUSPENDED', license: { activations: 2, tokens: { remaining: 5 } } });
    child.kill('SIGTERM');
    await exited(child);
  });
});
