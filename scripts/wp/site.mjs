/* global fetch, AbortSignal, URLSearchParams -- Node 20 globals the shared ESLint config does not list */
// One local WordPress site: a copy of the cached core with its own SQLite file, served by
// `php -S` on loopback, installed headlessly, with the BatchKeys plugin active and connected.
// Used by `npm start` (a persistent site under data/wordpress) and by the tests (throwaway sites).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { coreDir } from './provision.mjs';
import { freePort, repoRoot, run, sleep } from './lib.mjs';

export const PLUGIN_FILE = 'batchkeys/batchkeys.php';
const STATE = '.batchkeys-site.json';

/** The site's own record: admin login, install and connection state (mode 0600: it holds the password). */
export function readState(dir) {
  const file = join(dir, STATE);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}
export function writeState(dir, state) {
  writeFileSync(join(dir, STATE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(join(dir, STATE), 0o600);
}

/** Creates the site folder from the cached core unless it exists already. */
export async function createSite(dir) {
  if (existsSync(join(dir, 'wp-load.php'))) return dir;
  if (!existsSync(join(coreDir, 'wp-load.php'))) throw new Error(`WordPress is not provisioned (run: node scripts/wp/cli.mjs provision)`);
  mkdirSync(dir, { recursive: true });
  await run('cp', ['-a', `${coreDir}/.`, dir]);
  mkdirSync(join(dir, 'wp-content', 'database'), { recursive: true });
  writeFileSync(join(dir, 'wp-config.php'), wpConfig());
  return dir;
}

function wpConfig() {
  const salt = () => randomBytes(48).toString('base64');
  const salts = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT']
    .map((name) => `define( '${name}', '${salt()}' );`).join('\n');
  return `<?php
// Written by scripts/wp/site.mjs for a local BatchKeys site (development or tests).
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', '' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
// SQLite through the drop-in wp-content/db.php: one file per site, no database server.
define( 'DB_DIR', __DIR__ . '/wp-content/database/' );
define( 'DB_FILE', '.ht.sqlite' );
${salts}
$table_prefix = 'wp_';
// The port can change between runs: the URL comes from the environment of php -S and of the
// PHP command-line scripts, so the database never holds a stale one.
$batchkeys_wp_url = getenv( 'BATCHKEYS_WP_URL' );
if ( $batchkeys_wp_url ) {
	define( 'WP_HOME', $batchkeys_wp_url );
	define( 'WP_SITEURL', $batchkeys_wp_url );
}
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', __DIR__ . '/wp-content/debug.log' );
define( 'WP_DEBUG_DISPLAY', false );
define( 'FS_METHOD', 'direct' );
// No outside network here: calls to wordpress.org (updates, news, translations) would only wait
// for timeouts. Loopback and the site's own host stay reachable, so the BatchKeys server is too.
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'DISABLE_WP_CRON', true );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
`;
}

/**
 * Puts the plugin in place as wp-content/plugins/batchkeys: a link to the working folder (edits
 * show at once) or, with `zip`, unpacked from an installable zip like a site owner would.
 */
export async function installPlugin(dir, { pluginDir = join(repoRoot, 'plugin'), zip } = {}) {
  const target = join(dir, 'wp-content', 'plugins', 'batchkeys');
  rmSync(target, { recursive: true, force: true });
  if (!zip) {
    symlinkSync(resolve(pluginDir), target);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'batchkeys-zip-'));
  try {
    await run('unzip', ['-q', zip, '-d', out]);
    const top = existsSync(join(out, 'batchkeys.php')) ? out : readdirSync(out).map((d) => join(out, d)).find((d) => existsSync(join(d, 'batchkeys.php')));
    if (!top) throw new Error(`${zip} holds no batchkeys.php`);
    await run('cp', ['-a', top, target]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const running = new Set();
// A test worker or `npm start` that dies must not leave PHP servers behind.
process.once('exit', () => { for (const site of running) killGroup(site.proc); });
function killGroup(proc, signal = 'SIGTERM') {
  try { process.kill(-proc.pid, signal); } catch { /* already gone */ }
}

/** Serves the site with `php -S` (4 workers: the admin screens fetch in parallel) and waits until it answers. */
export async function serveSite(dir, { port } = {}) {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFd = openSync(join(dir, 'wp-content', 'php-server.log'), 'a');
  const env = { ...process.env, PHP_CLI_SERVER_WORKERS: '4', BATCHKEYS_WP_URL: url };
  // Its own process group, so stopping it also stops the workers it forks.
  const proc = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', dir], { cwd: dir, env, stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);
  const site = { dir, url, port, proc, env, exited: new Promise((r) => proc.once('exit', r)) };
  running.add(site);
  let exited = false;
  proc.once('exit', () => { exited = true; running.delete(site); });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`php -S exited at start; see ${join(dir, 'wp-content', 'php-server.log')}`);
    try {
      const res = await fetch(`${url}/wp-includes/images/blank.gif`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return site;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stopSite(site);
      throw new Error(`php -S did not answer on ${url} within 15 s`);
    }
    await sleep(100);
  }
}

/** Stops the PHP server (SIGTERM, then SIGKILL after 5 s). */
export async function stopSite(site) {
  if (!running.has(site)) return;
  killGroup(site.proc);
  const timer = setTimeout(() => killGroup(site.proc, 'SIGKILL'), 5000);
  await site.exited;
  clearTimeout(timer);
}

/**
 * Runs PHP with WordPress loaded (as the command line, like WP-CLI would) and resolves with its
 * output. `args` reach the code as the array `$args`; the code must not start with `<?php`.
 */
export async function runPhp(site, code, args = {}) {
  const file = join(site.dir, 'wp-content', `.batchkeys-cli-${randomBytes(6).toString('hex')}.php`);
  const { host } = new URL(site.url);
  writeFileSync(file, `<?php
$_SERVER['HTTP_HOST'] = ${JSON.stringify(host)};
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$args = json_decode( getenv( 'BATCHKEYS_WP_ARGS' ) ?: '{}', true );
require ${JSON.stringify(join(site.dir, 'wp-load.php'))};
${code.replace(/^\s*<\?php/, '')}
`);
  const debugLog = join(site.dir, 'wp-content', 'debug.log');
  const logged = existsSync(debugLog) ? statSync(debugLog).size : 0;
  try {
    const { stdout } = await run('php', [file], { env: { ...site.env, BATCHKEYS_WP_ARGS: JSON.stringify(args) }, timeoutMs: 60_000 });
    return stdout;
  } catch (err) {
    // WordPress sends PHP errors to its debug.log, not to the terminal: show what this run wrote.
    const fresh = existsSync(debugLog) ? readFileSync(debugLog).subarray(logged).toString('utf8').trim() : '';
    if (fresh) err.message += `\n${debugLog}:\n${fresh.split('\n').slice(0, 12).join('\n')}`;
    throw err;
  } finally {
    rmSync(file, { force: true });
  }
}

/** Installs WordPress through its own installer over HTTP, as a person would, without a browser. */
export async function installWordPress(site, { title = 'BatchKeys local', user = 'admin', password, email = 'admin@example.com' } = {}) {
  const state = readState(site.dir);
  if (state.installed) return state;
  // A half-finished earlier attempt leaves a database the installer would refuse: start clean.
  rmSync(join(site.dir, 'wp-content', 'database'), { recursive: true, force: true });
  mkdirSync(join(site.dir, 'wp-content', 'database'), { recursive: true });
  password ??= randomBytes(12).toString('base64url');
  const body = new URLSearchParams({
    weblog_title: title, user_name: user, admin_password: password, admin_password2: password,
    pw_weak: '1', admin_email: email, blog_public: '0', language: '',
  });
  const res = await fetch(`${site.url}/wp-admin/install.php?step=2`, { method: 'POST', body, signal: AbortSignal.timeout(60_000) });
  const html = await res.text();
  if (!res.ok || !/Success!|<h1>Success/.test(html)) {
    throw new Error(`WordPress install failed (HTTP ${res.status}): ${html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  const next = { ...state, installed: true, user, password };
  writeState(site.dir, next);
  return next;
}

/** Activates the plugin with activate_plugin(), which runs its activation hook (capabilities). */
export async function activatePlugin(site) {
  const out = await runPhp(site, `
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$result = activate_plugin( ${JSON.stringify(PLUGIN_FILE)} );
if ( is_wp_error( $result ) ) { fwrite( STDERR, $result->get_error_message() ); exit( 1 ); }
echo is_plugin_active( ${JSON.stringify(PLUGIN_FILE)} ) ? 'active' : 'inactive';
`);
  if (out.trim() !== 'active') throw new Error(`the plugin did not activate: ${out.trim().slice(-300)}`);
}

/**
 * Saves the server URL and token in the plugin with batchkeys_set_connection(). Resolves with
 * 'connected', or 'unavailable' when the plugin does not define that function (yet).
 */
export async function connectPlugin(site, serverUrl, token) {
  const out = await runPhp(site, `
if ( ! function_exists( 'batchkeys_set_connection' ) ) { echo 'unavailable'; return; }
$result = batchkeys_set_connection( $args['url'], $args['token'] );
if ( is_wp_error( $result ) ) { fwrite( STDERR, $result->get_error_code() . ': ' . $result->get_error_message() ); exit( 1 ); }
echo 'connected';
`, { url: serverUrl, token });
  const answer = out.trim().split('\n').pop();
  if (answer !== 'connected' && answer !== 'unavailable') throw new Error(`batchkeys_set_connection: unexpected output ${out.slice(-300)}`);
  return answer;
}

/** True when the plugin defines batchkeys_set_connection(), i.e. a connection can be saved. */
export async function canConnect(site) {
  return (await runPhp(site, `echo function_exists( 'batchkeys_set_connection' ) ? 'yes' : 'no';`)).trim() === 'yes';
}

/**
 * A ready site in `dir`: created from the cache if needed, served, installed, plugin in place
 * and active. Connection is left to the caller (it needs a server and a token).
 */
export async function startSite(dir, { port, plugin = {}, admin = {} } = {}) {
  await createSite(dir);
  // Always re-placed: the link is absolute, and the repository may have moved since last time.
  await installPlugin(dir, plugin);
  const site = await serveSite(dir, { port });
  try {
    const state = await installWordPress(site, admin);
    await activatePlugin(site);
    return Object.assign(site, { user: state.user, password: state.password, adminUrl: `${site.url}/wp-admin/` });
  } catch (err) {
    await stopSite(site);
    throw err;
  }
}

