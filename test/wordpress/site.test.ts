import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLicense, startTestServer, type TestServer } from '../helpers/server.js';
import { startWordPress, type WordPress } from '../helpers/wordpress.js';

// The harness itself, as `npm start` uses it: a fresh site, the plugin linked and active, and the
// connection saved from PHP through batchkeys_set_connection() without any screen.
let server: TestServer;
let wp: WordPress;

beforeAll(async () => {
  server = await startTestServer();
  wp = await startWordPress({ serverUrl: server.url, token: server.token });
}, 120_000);

afterAll(async () => {
  await wp?.stop();
  await server?.close();
});

describe('a local WordPress site', () => {
  it('runs WordPress 6.8 on PHP 8.2 with the plugin active and serves wp-admin to its admin only', async () => {
    const info = JSON.parse(await wp.php(`
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$admin = get_user_by( 'login', $args['user'] );
echo wp_json_encode( array(
  'wp' => get_bloginfo( 'version' ), 'php' => PHP_VERSION, 'db' => defined( 'DB_ENGINE' ) ? DB_ENGINE : '',
  'active' => is_plugin_active( 'batchkeys/batchkeys.php' ), 'cap' => $admin && $admin->has_cap( 'manage_batchkeys' ),
) );`, { user: wp.user }));
    expect(info).toMatchObject({ db: 'sqlite', active: true, cap: true });
    expect(info.wp).toMatch(/^6\.8\./);
    expect(info.php).toMatch(/^8\.2\./);

    const login = await fetch(`${wp.adminUrl}`, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toContain('/wp-login.php');
  });

  it('is connected to the server: a theme-side batchkeys_validate() hears VALID, then SUSPENDED', async () => {
    const { key, id } = await makeLicense(server, { email: 'theme@example.com' });
    const validate = () => wp.php(`echo wp_json_encode( batchkeys_validate( $args['key'], array( 'cache' => false ) ) );`, { key });
    expect(JSON.parse(await validate())).toMatchObject({ valid: true, code: 'VALID' });
    expect((await server.admin('POST', `/v1/admin/licenses/${id}/actions/suspend`, {})).status).toBe(200);
    expect(JSON.parse(await validate())).toMatchObject({ valid: false, code: 'SUSPENDED' });
  });
});
