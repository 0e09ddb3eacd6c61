import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeLicense, startTestServer, type TestServer } from '../helpers/server.js';
import { startWordPress, type WordPress } from '../helpers/wordpress.js';

/**
 * A loopback proxy between WordPress and the BatchKeys server that can pass answers on, alter
 * them, replay an old one, hang or drop the connection: what a broken network or an attacker in
 * the middle would do. It counts the requests that reach it.
 */
type Mode = 'pass' | 'tamper' | 'hang' | 'drop' | 'replay';
interface Proxy { url: string; mode: Mode; hits: string[]; replay: { status: number; headers: Record<string, string>; body: Buffer } | null; close(): Promise<void> }

async function startProxy(target: string): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const proxy: Proxy = { url: '', mode: 'pass', hits: [], replay: null, close: async () => {} };
  const server: Server = createServer((req, res) => {
    proxy.hits.push(`${req.method} ${req.url}`);
    if (proxy.mode === 'hang') return; // never answers
    if (proxy.mode === 'drop') return void req.socket.destroy();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (proxy.mode === 'replay' && proxy.replay && req.url === '/v1/licenses/validate') {
        res.writeHead(proxy.replay.status, proxy.replay.headers);
        return void res.end(proxy.replay.body);
      }
      const up = httpRequest(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (upRes) => {
        const parts: Buffer[] = [];
        upRes.on('data', (c: Buffer) => parts.push(c));
        upRes.on('end', () => {
          let body = Buffer.concat(parts);
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(upRes.headers)) if (typeof v === 'string') headers[k] = v;
          if (req.url === '/v1/licenses/validate') proxy.replay = { status: upRes.statusCode ?? 500, headers, body };
          if (proxy.mode === 'tamper' && req.url?.startsWith('/v1/licenses/')) {
            // Same length, other meaning: a refused key made to look valid, or the detail changed.
            const text = body.toString('utf8');
            const altered = text.includes('"valid":false') ? text.replace('"valid":false', '"valid":true ') : text.replace('"detail":"', '"detail":"!');
            body = Buffer.from(altered);
            headers['content-length'] = String(body.length);
          }
          res.writeHead(upRes.statusCode ?? 500, headers);
          res.end(body);
        });
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); });
  return proxy;
}

interface PhpResult {
  valid: boolean; code: string; detail: string; license: Record<string, unknown> | null; source: string;
  checked_at: number; development: boolean; activation: Record<string, unknown> | null; seconds?: number;
}

let server: TestServer;
let proxy: Proxy;
let wp: WordPress;

/** Runs batchkeys_validate() (or activate/deactivate) inside WordPress; also times the call in PHP. */
async function call(fn: 'batchkeys_validate' | 'batchkeys_activate' | 'batchkeys_deactivate', key: string, opts: Record<string, unknown> = {}, prelude = ''): Promise<PhpResult> {
  const out = await wp.php(`
${prelude}
$t = microtime( true );
$r = ${fn}( $args['key'], $args['opts'] );
$a = $r->to_array();
$a['seconds'] = microtime( true ) - $t;
echo "\\n@@" . wp_json_encode( $a );
`, { key, opts: Object.keys(opts).length ? opts : {} });
  const line = out.split('\n').find((l) => l.startsWith('@@'));
  if (!line) throw new Error(`no result from PHP: ${out.slice(-500)}`);
  return JSON.parse(line.slice(2)) as PhpResult;
}
const validate = (key: string, opts: Record<string, unknown> = {}, prelude = '') => call('batchkeys_validate', key, opts, prelude);

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startProxy(server.url);
  wp = await startWordPress({ serverUrl: proxy.url, token: server.token });
}, 180_000);

afterAll(async () => {
  await wp?.stop();
  await proxy?.close();
  await server?.close();
});

beforeEach(async () => {
  proxy.mode = 'pass';
  proxy.hits.length = 0;
  await wp.php(`delete_transient( 'batchkeys_backoff' );`);
});

describe('batchkeys_validate()', () => {
  it('answers VALID for a good key, with the public license view and the site host as domain', async () => {
    const { key, id } = await makeLicense(server);
    const r = await validate(key);
    expect(r).toMatchObject({ valid: true, code: 'VALID', source: 'server', development: true });
    expect(r.license).toMatchObject({ id, product: 'plugin', status: 'active' });
    expect(r.license).not.toHaveProperty('email');
    // The default domain is the site's own host, sent with a fresh nonce.
    expect(proxy.hits).toContain('POST /v1/licenses/validate');
  });

  it('answers NOT_FOUND for an unknown key and SUSPENDED for a suspended one', async () => {
    expect(await validate('NOPE-NOPE-NOPE-NOPE')).toMatchObject({ valid: false, code: 'NOT_FOUND', license: null });
    const { key, id } = await makeLicense(server);
    expect((await server.admin('POST', `/v1/admin/licenses/${id}/actions/suspend`, {})).status).toBe(200);
    const r = await validate(key);
    expect(r).toMatchObject({ valid: false, code: 'SUSPENDED', source: 'server' });
    expect(r.license).toMatchObject({ status: 'suspended' });
  });

  it('answers each of the server\'s refusal codes', async () => {
    const revoked = await makeLicense(server);
    await server.admin('POST', `/v1/admin/licenses/${revoked.id}/actions/revoke`, {});
    const expired = await makeLicense(server, { expiresAt: '2020-01-01T00:00:00Z' });
    const domainLocked = await makeLicense(server, { lock: 'domain' });
    const deviceLocked = await makeLicense(server, { lock: 'device' });
    const noTokens = await makeLicense(server, { tokens: 0 });
    const cases: [string, Record<string, unknown>, string][] = [
      [revoked.key, {}, 'REVOKED'],
      [expired.key, {}, 'EXPIRED'],
      [(await makeLicense(server)).key, { product: 'another-product' }, 'PRODUCT_MISMATCH'],
      [domainLocked.key, { domain: '' }, 'DOMAIN_REQUIRED'],
      [deviceLocked.key, {}, 'DEVICE_REQUIRED'],
      [deviceLocked.key, { device: '0b6f3f4e-8c5a-4a7e-9d51-2f1c1f0a9a10' }, 'NOT_ACTIVATED'],
      [noTokens.key, {}, 'TOKENS_EXHAUSTED'],
    ];
    for (const [key, opts, code] of cases) {
      const r = await validate(key, { ...opts, cache: false });
      expect(r, code).toMatchObject({ valid: false, code, source: 'server' });
      expect(r.detail, code).not.toBe('');
    }
    // A request the server refuses (here a malformed domain) is an answer about the call, not the key.
    expect(await validate(revoked.key, { domain: 'not a host!', cache: false })).toMatchObject({ valid: false, code: 'VALIDATION_ERROR' });
  });

  it('checks a domain-locked key against this site, and activate/deactivate change the answer at once', async () => {
    const { key } = await makeLicense(server, { lock: 'domain', maxActivations: 1 });
    expect(await validate(key)).toMatchObject({ valid: false, code: 'NOT_ACTIVATED' });
    const act = await call('batchkeys_activate', key, { label: 'Test site' });
    expect(act).toMatchObject({ valid: true, code: 'ACTIVATED' });
    expect(act.activation).toMatchObject({ domain: '127.0.0.1', label: 'Test site', development: true });
    // The NOT_ACTIVATED answer was cached; activating forgot it.
    expect(await validate(key)).toMatchObject({ valid: true, code: 'VALID', source: 'server' });
    expect(await validate(key, { domain: 'other.example.com' })).toMatchObject({ valid: false, code: 'NOT_ACTIVATED' });
    expect(await call('batchkeys_deactivate', key)).toMatchObject({ valid: true, code: 'DEACTIVATED' });
    expect(await validate(key)).toMatchObject({ valid: false, code: 'NOT_ACTIVATED', source: 'server' });
    expect(await call('batchkeys_deactivate', key)).toMatchObject({ valid: false, code: 'NOT_ACTIVATED' });
  });

  it('serves a cached answer without calling the server, keyed by a digest and never by the key', async () => {
    const { key } = await makeLicense(server);
    expect(await validate(key)).toMatchObject({ valid: true, source: 'server' });
    proxy.hits.length = 0;
    // Case, spaces and dashes do not matter to the server, nor to the cache.
    const again = await validate(` ${key.toLowerCase().replace(/-/g, '')} `);
    expect(again).toMatchObject({ valid: true, code: 'VALID', source: 'cache' });
    expect(proxy.hits).toEqual([]);
    const found = await wp.php(`
global $wpdb;
$like = '%' . $wpdb->esc_like( $args['k'] ) . '%';
echo (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE %s OR option_value LIKE %s", $like, $like ) );
echo ' ', (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE '_transient_batchkeys_v_%'" );
`, { k: key.replace(/-/g, '').slice(0, 12) });
    const [withKey, cached] = found.trim().split(' ').map(Number);
    expect(withKey).toBe(0);
    expect(cached).toBeGreaterThan(0);
    // cache => false asks the server.
    expect(await validate(key, { cache: false })).toMatchObject({ source: 'server' });
    expect(proxy.hits).toContain('POST /v1/licenses/validate');
  });

  it('refuses an answer whose body was altered after signing', async () => {
    const { key, id } = await makeLicense(server);
    await server.admin('POST', `/v1/admin/licenses/${id}/actions/revoke`, {});
    proxy.mode = 'tamper';
    const r = await validate(key, { cache: false });
    expect(r).toMatchObject({ valid: false, code: 'BAD_SIGNATURE', source: 'local' });
    // The stored key was tried, then fetched again once in case the server rotated it.
    expect(proxy.hits.filter((h) => h === 'GET /v1/signing-key')).toHaveLength(1);
    proxy.mode = 'pass';
    expect(await validate(key, { cache: false })).toMatchObject({ valid: false, code: 'REVOKED', source: 'server' });
  });

  it('fetches the signing key again once when the stored one no longer verifies (key rotation)', async () => {
    const { key } = await makeLicense(server);
    await wp.php(`update_option( 'batchkeys_signing_key', array( 'url' => BatchKeys\\Connection\\Settings::server_url(), 'key' => base64_encode( random_bytes( 32 ) ) ), false );`);
    const r = await validate(key, { cache: false });
    expect(r).toMatchObject({ valid: true, code: 'VALID', source: 'server' });
    expect(proxy.hits.filter((h) => h === 'GET /v1/signing-key')).toHaveLength(1);
  });

  it('refuses a genuine signed answer replayed for another request (the nonce differs)', async () => {
    const { key } = await makeLicense(server);
    expect(await validate(key, { cache: false })).toMatchObject({ valid: true });
    proxy.mode = 'replay';
    expect(await validate(key, { cache: false })).toMatchObject({ valid: false, code: 'BAD_RESPONSE' });
  });

  it('honours the last good answer during the grace period when the server cannot be reached, then backs off', async () => {
    const { key } = await makeLicense(server);
    const fresh = await validate(key, { cache: false });
    expect(fresh).toMatchObject({ valid: true, source: 'server' });
    proxy.mode = 'drop';
    const offline = await validate(key, { cache: false });
    expect(offline).toMatchObject({ valid: true, code: 'VALID', source: 'grace', checked_at: fresh.checked_at });
    // After a failure the server is left alone for a minute: no request, no wait.
    proxy.hits.length = 0;
    const backoff = await validate(key, { cache: false });
    expect(backoff).toMatchObject({ valid: true, source: 'grace' });
    expect(proxy.hits).toEqual([]);
    expect(backoff.seconds).toBeLessThan(0.2);
    // Past the grace period (here set to 0 by the filter) an unreachable server means no.
    const expired = await validate(key, { cache: false }, `add_filter( 'batchkeys_grace_period', '__return_zero' );`);
    expect(expired).toMatchObject({ valid: false, code: 'SERVER_UNREACHABLE', source: 'local' });
    // A key never seen valid gets no grace.
    await wp.php(`delete_transient( 'batchkeys_backoff' );`);
    expect(await validate('NEVER-SEEN-KEY', { cache: false })).toMatchObject({ valid: false, code: 'SERVER_UNREACHABLE' });
  });

  it('gives up within about 3 seconds when the server accepts the connection but never answers', async () => {
    const { key } = await makeLicense(server);
    proxy.mode = 'hang';
    const started = Date.now();
    const r = await validate(key, { cache: false });
    expect(r).toMatchObject({ valid: false, code: 'SERVER_UNREACHABLE' });
    expect(r.seconds).toBeGreaterThan(2.5);
    expect(r.seconds).toBeLessThan(3.5);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The next page load does not wait again.
    const next = await validate(key, { cache: false });
    expect(next.seconds).toBeLessThan(0.2);
  });

  it('answers NOT_CONFIGURED, not an error, when no server is set', async () => {
    const r = await validate('ANY-KEY', {}, `add_filter( 'batchkeys_server_url', '__return_empty_string' );`);
    expect(r).toMatchObject({ valid: false, code: 'NOT_CONFIGURED', source: 'local' });
  });

  it('left no PHP warning or notice in the debug log', async () => {
    const log = await wp.php(`echo file_exists( WP_CONTENT_DIR . '/debug.log' ) ? file_get_contents( WP_CONTENT_DIR . '/debug.log' ) : '';`);
    expect(log.split('\n').filter((l) => /plugins\/batchkeys\/|\/plugin\/(includes\/|batchkeys\.php|uninstall)|BatchKeys\\/.test(l))).toEqual([]);
  });

  it('keeps the admin token encrypted in the database', async () => {
    const out = await wp.php(`
$sealed = get_option( 'batchkeys_token' );
echo wp_json_encode( array( 'plain' => str_contains( (string) $sealed, $args['t'] ), 'prefix' => substr( (string) $sealed, 0, 4 ), 'readable' => BatchKeys\\Connection\\Settings::token() === $args['t'] ) );
`, { t: server.token });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ plain: false, prefix: 'bk1:', readable: true });
  });
});
