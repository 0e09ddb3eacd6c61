import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLicense, startTestServer, type TestServer } from '../helpers/server.js';
import { applicationPassword, startWordPress, type WordPress } from '../helpers/wordpress.js';

let server: TestServer;
let wp: WordPress;
let adminAuth: string;
let subscriberAuth: string;
/** Every body WordPress sent back in these tests: none may hold the admin token. */
const seen: string[] = [];

interface Reply { status: number; json: any; text: string } // eslint-disable-line @typescript-eslint/no-explicit-any

/** Calls the plugin's REST API as a logged-in user (application password) or anonymously. */
async function rest(method: string, path: string, body?: unknown, auth: string | null = adminAuth): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${wp.url}/?rest_route=${encodeURIComponent(`/batchkeys/v1${path.split('?')[0]}`)}${path.includes('?') ? `&${path.split('?')[1]}` : ''}`, {
    method, headers, body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  seen.push(text);
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json, text };
}

beforeAll(async () => {
  server = await startTestServer();
  wp = await startWordPress({ serverUrl: server.url, token: server.token });
  adminAuth = await applicationPassword(wp, 'administrator');
  subscriberAuth = await applicationPassword(wp, 'subscriber');
}, 180_000);

afterAll(async () => {
  await wp?.stop();
  await server?.close();
});

describe('REST proxy batchkeys/v1', () => {
  it('refuses a subscriber (403) and an anonymous visitor (401)', async () => {
    const sub = await rest('GET', '/licenses', undefined, subscriberAuth);
    expect(sub.status).toBe(403);
    expect(sub.json.code).toBe('rest_forbidden');
    expect((await rest('GET', '/settings', undefined, subscriberAuth)).status).toBe(403);
    expect((await rest('POST', '/settings', { serverUrl: 'http://evil.example' }, subscriberAuth)).status).toBe(403);
    expect((await rest('GET', '/licenses', undefined, null)).status).toBe(401);
  });

  it('declares permission_callback and an args schema on every route', async () => {
    const out = await wp.php(`
do_action( 'rest_api_init' );
$bad = array();
foreach ( rest_get_server()->get_routes( 'batchkeys/v1' ) as $route => $endpoints ) {
	if ( '/batchkeys/v1' === $route ) { continue; } // WordPress's own index of the namespace.
	foreach ( $endpoints as $e ) {
		if ( empty( $e['permission_callback'] ) || ! isset( $e['args'] ) ) { $bad[] = $route; }
		foreach ( $e['args'] as $name => $arg ) {
			if ( empty( $arg['sanitize_callback'] ) || empty( $arg['validate_callback'] ) ) { $bad[] = "$route $name"; }
		}
	}
}
echo "\\n@@" . wp_json_encode( array( 'routes' => count( rest_get_server()->get_routes( 'batchkeys/v1' ) ), 'bad' => $bad ) );
`);
    const res = JSON.parse(out.split('\n').find((l) => l.startsWith('@@'))!.slice(2));
    expect(res.bad).toEqual([]);
    expect(res.routes).toBeGreaterThanOrEqual(14);
  });

  it('passes the admin API JSON through unchanged', async () => {
    const { id } = await makeLicense(server, { email: 'pat@example.com', metadata: {} });
    const direct = await server.admin('GET', `/v1/admin/licenses/${id}`);
    const proxied = await rest('GET', `/licenses/${id}`);
    expect(proxied.status).toBe(200);
    expect(proxied.json).toEqual(direct.json);
    // An empty metadata object stays an object, not a PHP list.
    expect(proxied.text).toContain('"metadata":{}');
    const list = await rest('GET', '/licenses?email=pat%40example.com&limit=5');
    expect(list.json.items.map((l: { id: string }) => l.id)).toContain(id);
    expect(list.json).toHaveProperty('nextCursor');
    // The sort and its order reach the server (its cursor names them); others never leave WordPress.
    await makeLicense(server, { email: 'pat@example.com', expiresAt: '2030-01-01T00:00:00Z' });
    const sorted = await rest('GET', '/licenses?email=pat%40example.com&limit=1&sort=expiresAt&order=asc');
    expect(sorted.status).toBe(200);
    expect(sorted.json.items[0].expiresAt).toBe('2030-01-01T00:00:00.000Z');
    expect(Buffer.from(sorted.json.nextCursor, 'base64url').toString()).toMatch(/^expiresAt\.asc\./);
    for (const bad of ['sort=email', 'order=up']) {
      const r = await rest('GET', `/licenses?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.json.code).toBe('rest_invalid_param');
    }
  });

  it('maps a server problem to a WP_Error with its code, detail and status', async () => {
    const direct = await server.admin('GET', '/v1/admin/licenses/lic_UNKNOWN');
    const r = await rest('GET', '/licenses/lic_UNKNOWN');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: direct.json.code, message: direct.json.detail, data: { status: 404 } });
    const p = await rest('POST', '/licenses', { product: 'no-such-product' });
    expect(p.status).toBe(404);
    expect(p.json).toMatchObject({ code: 'PRODUCT_NOT_FOUND', data: { status: 404 } });
    // A field the schema refuses never reaches the server.
    const bad = await rest('POST', '/licenses', { product: 'plugin', lock: 'sometimes' });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('rest_invalid_param');
  });

  it('creates a key (201, shown once), acts on it, and a suspension reaches batchkeys_validate() at once', async () => {
    await makeLicense(server); // creates the product
    const created = await rest('POST', '/licenses', { product: 'plugin', lock: 'none', tokens: 5, email: 'new@example.com', metadata: {} });
    expect(created.status).toBe(201);
    const { key, license } = created.json;
    expect(typeof key).toBe('string');
    const check = async () => JSON.parse((await wp.php(`echo "\\n@@" . wp_json_encode( batchkeys_validate( $args['key'] ) );`, { key })).split('@@')[1]!);
    expect(await check()).toMatchObject({ valid: true, code: 'VALID', source: 'server' });
    expect(await check()).toMatchObject({ source: 'cache' });

    const tokens = await rest('POST', `/licenses/${license.id}/actions/add-tokens`, { amount: 10 });
    expect(tokens.status).toBe(200);
    expect(tokens.json.license.tokens).toEqual({ remaining: 15, total: 15 });
    const suspended = await rest('POST', `/licenses/${license.id}/actions/suspend`);
    expect(suspended.json.license.status).toBe('suspended');
    expect(await check()).toMatchObject({ valid: false, code: 'SUSPENDED', source: 'server' });

    const revealed = await rest('GET', `/licenses/${license.id}/key`);
    expect(revealed.json).toEqual({ key });
    const patched = await rest('PATCH', `/licenses/${license.id}`, { name: 'Pat', maxActivations: null });
    expect(patched.json.license).toMatchObject({ name: 'Pat', maxActivations: null });
  });

  it('lists and deactivates activations (204)', async () => {
    const { key, id } = await makeLicense(server, { lock: 'domain' });
    const act = await server.call('POST', '/v1/licenses/activate', { key, domain: 'shop.example.com' });
    expect(act.status).toBe(201);
    const list = await rest('GET', `/licenses/${id}/activations`);
    expect(list.json.items).toHaveLength(1);
    const del = await rest('DELETE', `/activations/${list.json.items[0].id}`);
    expect(del.status).toBe(204);
    expect((await rest('GET', `/licenses/${id}/activations`)).json.items).toHaveLength(0);
    expect((await rest('GET', `/licenses/${id}/activations?all=true`)).json.items).toHaveLength(1);
  });

  it('creates and edits products and policies', async () => {
    const p = await rest('POST', '/products', { name: 'Theme', slug: 'theme', keyPrefix: 'THM' });
    expect(p.status).toBe(201);
    expect((await rest('POST', '/products', { name: 'Again', slug: 'theme' })).json).toMatchObject({ code: 'CONFLICT', data: { status: 409 } });
    expect((await rest('PATCH', `/products/${p.json.product.id}`, { name: 'Theme Pro' })).json.product.name).toBe('Theme Pro');
    const pol = await rest('POST', '/policies', { product: 'theme', name: 'Yearly', durationDays: 365, lock: 'domain', maxActivations: 3 });
    expect(pol.status).toBe(201);
    expect((await rest('GET', '/policies?product=theme')).json.items).toHaveLength(1);
    expect((await rest('PATCH', `/policies/${pol.json.policy.id}`, { maxActivations: 5 })).json.policy.maxActivations).toBe(5);
    expect((await rest('GET', '/products')).json.items.map((x: { slug: string }) => x.slug)).toContain('theme');
  });

  it('shows settings without the token and tests the connection in plain words', async () => {
    const s = await rest('GET', '/settings');
    expect(s.json).toEqual({ serverUrl: server.url, tokenSet: true, devHosts: [], cacheLifetime: 3600 });
    const saved = await rest('POST', '/settings', { devHosts: ['*.staging.example.com'], cacheLifetime: 600 });
    expect(saved.json).toMatchObject({ devHosts: ['*.staging.example.com'], cacheLifetime: 600, tokenSet: true });
    expect((await rest('POST', '/settings', { serverUrl: 'ftp://x' })).json.code).toBe('batchkeys_invalid_server_url');

    expect((await rest('POST', '/settings/test')).json).toMatchObject({ ok: true, code: 'OK' });
    expect((await rest('POST', '/settings/test', { token: 'bk_wrong_token' })).json).toMatchObject({ ok: false, code: 'BAD_TOKEN' });
    const readToken = await server.admin('POST', '/v1/admin/tokens', { name: 'read only', scopes: ['read', 'write'] });
    const scoped = (await rest('POST', '/settings/test', { token: readToken.json.token })).json;
    expect(scoped).toMatchObject({ ok: false, code: 'WRONG_SCOPE' });
    expect(scoped.message).toMatch(/admin/);
    const closed: Server = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect((await rest('POST', '/settings/test', { serverUrl: `http://127.0.0.1:${port}` })).json).toMatchObject({ ok: false, code: 'UNREACHABLE' });
    expect((await rest('POST', '/settings/test', { serverUrl: wp.url })).json).toMatchObject({ ok: false, code: 'NOT_BATCHKEYS' });
    // A redirect is not followed (the token would travel with it): the owner is told where to point.
    const redirect: Server = createServer((req, res) => { res.writeHead(301, { location: `${server.url}${req.url}` }); res.end(); });
    await new Promise<void>((r) => redirect.listen(0, '127.0.0.1', r));
    const moved = (await rest('POST', '/settings/test', { serverUrl: `http://127.0.0.1:${(redirect.address() as AddressInfo).port}` })).json;
    await new Promise<void>((r) => redirect.close(() => r()));
    expect(moved).toMatchObject({ ok: false, code: 'REDIRECTED' });
    expect(moved.message).toContain(server.url);
  });

  it('never sends the admin token to the browser: REST answers and admin pages', async () => {
    // Log in with the form, like a person, and open each BatchKeys page.
    const form = new URLSearchParams({ log: wp.user, pwd: wp.password, testcookie: '1', 'wp-submit': 'Log In' });
    const login = await fetch(`${wp.url}/wp-login.php`, {
      method: 'POST', body: form, redirect: 'manual', headers: { cookie: 'wordpress_test_cookie=WP%20Cookie%20check' },
    });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(cookie).toMatch(/wordpress_logged_in/);
    for (const page of ['batchkeys', 'batchkeys-products', 'batchkeys-settings']) {
      const res = await fetch(`${wp.url}/wp-admin/admin.php?page=${page}`, { headers: { cookie } });
      const html = await res.text();
      seen.push(html);
      expect(res.status).toBe(200);
      const screen = { batchkeys: 'keys', 'batchkeys-products': 'products', 'batchkeys-settings': 'settings' }[page]!;
      if (existsSync(`plugin/build/${screen}/index.asset.php`)) {
        expect(html).toContain(`<div id="batchkeys-${screen}-root"></div>`);
        expect(html).toContain(`/build/${screen}/index.js`);
        // Core styles arrive concatenated through load-styles.php, or as their own link.
        expect(html).toMatch(/load-styles\.php\?[^"']*wp-components|id=["']wp-components-css/);
        const boot = /window\.batchkeysAdmin = (\{.*?\});/.exec(html);
        expect(JSON.parse(boot![1]!)).toEqual({
          connected: true, serverUrl: server.url, adminUrl: `${wp.url}/wp-admin/admin.php`, canReveal: true,
        });
      } else {
        expect(html).toContain('npm run plugin:build');
      }
    }
    expect(seen.length).toBeGreaterThan(20);
    for (const body of seen) expect(body).not.toContain(server.token);
  });

  it('left no PHP warning or notice from the plugin in the debug log', async () => {
    const log = await wp.php(`echo file_exists( WP_CONTENT_DIR . '/debug.log' ) ? file_get_contents( WP_CONTENT_DIR . '/debug.log' ) : '';`);
    expect(log.split('\n').filter((l) => /plugins\/batchkeys\/|\/plugin\/(includes\/|batchkeys\.php|uninstall)|BatchKeys\\/.test(l))).toEqual([]);
  });

  // Last: it removes the plugin's data from this site.
  it('keeps the capability and settings on deactivation, and removes all of them on uninstall', async () => {
    const state = async () => JSON.parse((await wp.php(`
global $wpdb;
echo "\\n@@" . wp_json_encode( array(
	'cap'        => get_role( 'administrator' )->has_cap( 'manage_batchkeys' ),
	'options'    => (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE 'batchkeys\\_%'" ),
	'transients' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE '\\_transient\\_%batchkeys\\_%'" ),
	'active'     => in_array( 'batchkeys/batchkeys.php', (array) get_option( 'active_plugins' ), true ),
) );
`)).split('@@')[1]!);
    const before = await state();
    expect(before).toMatchObject({ cap: true, active: true });
    expect(before.options).toBeGreaterThanOrEqual(3);
    expect(before.transients).toBeGreaterThan(0);
    await wp.php(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; deactivate_plugins( 'batchkeys/batchkeys.php' );`);
    expect(await state()).toMatchObject({ cap: true, active: false, options: before.options });
    await wp.php(`require_once ABSPATH . 'wp-admin/includes/plugin.php'; uninstall_plugin( 'batchkeys/batchkeys.php' );`);
    expect(await state()).toEqual({ cap: false, active: false, options: 0, transients: 0 });
  });
});
