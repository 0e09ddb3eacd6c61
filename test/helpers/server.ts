import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'node:crypto';
import { loadConfig } from '../../server/config.js';
import { startServer, createLogger, type RunningServer } from '../../server/app.js';
import { publicKeyObject } from '../../server/crypto/signing.js';

export interface TestServer {
  url: string;
  token: string;
  running: RunningServer;
  dataDir: string;
  clock: { now: number | null };
  /** Calls the API; returns status, headers, raw body and parsed JSON. */
  call(method: string, path: string, body?: unknown, opts?: { token?: string | null; headers?: Record<string, string>; raw?: string | Buffer }): Promise<Reply>;
  admin(method: string, path: string, body?: unknown): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Headers;
  raw: Buffer;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const BOOTSTRAP = 'bk_test_bootstrap_token_0123456789abcdef';

/**
 * Starts a real BatchKeys server on a free port with a fresh SQLite file in a temp folder.
 * The clock can be moved by setting `clock.now` (null: real time).
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'batchkeys-test-'));
  const config = loadConfig({
    BATCHKEYS_DATA_DIR: dataDir, BATCHKEYS_PORT: '0', BATCHKEYS_BOOTSTRAP_TOKEN: BOOTSTRAP, BATCHKEYS_RATE_LIMIT: '0',
    BATCHKEYS_LOG_LEVEL: 'silent', ...env,
  });
  const clock: { now: number | null } = { now: null };
  const running = await startServer(config, { logger: createLogger('silent'), now: () => clock.now ?? Date.now() });
  const call: TestServer['call'] = async (method, path, body, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? null : opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | Buffer | undefined = opts.raw;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${running.url}${path}`, {
      method, headers,
      // A copy as a plain Uint8Array: DOM typings (pulled in by the WordPress packages) refuse Buffer.
      body: payload === undefined ? null : typeof payload === 'string' ? payload : new Uint8Array(payload),
    });
    const raw = Buffer.from(await res.arrayBuffer());
    let json: unknown = null;
    try { json = raw.length ? JSON.parse(raw.toString('utf8')) : null; } catch { json = null; }
    return { status: res.status, headers: res.headers, raw, json };
  };
  return {
    url: running.url, token: BOOTSTRAP, running, dataDir, clock, call,
    admin: (method, path, body) => call(method, path, body, { token: BOOTSTRAP }),
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Verifies `BatchKeys-Signature` over the exact body bytes with the published key. */
export async function signatureValid(server: TestServer, reply: Reply): Promise<boolean> {
  const header = reply.headers.get('batchkeys-signature') ?? '';
  const m = /^ed25519=([A-Za-z0-9+/=]+)$/.exec(header);
  if (!m) return false;
  const keyReply = await server.call('GET', '/v1/signing-key');
  const pub = publicKeyObject(Buffer.from(keyReply.json.publicKey as string, 'base64'));
  return verify(null, reply.raw, pub, Buffer.from(m[1]!, 'base64'));
}

/** Creates a product and a license through the admin API; returns the key and license. */
export async function makeLicense(server: TestServer, input: Record<string, unknown> = {}, slug = 'plugin') {
  const existing = await server.admin('GET', `/v1/admin/products/${slug}`);
  if (existing.status === 404) {
    const p = await server.admin('POST', '/v1/admin/products', { name: `Product ${slug}`, slug });
    if (p.status !== 201) throw new Error(`product: ${p.status} ${p.raw.toString()}`);
  }
  const r = await server.admin('POST', '/v1/admin/licenses', { product: slug, ...input });
  if (r.status !== 201) throw new Error(`license: ${r.status} ${r.raw.toString()}`);
  return { key: r.json.key as string, license: r.json.license, id: r.json.license.id as string };
}
