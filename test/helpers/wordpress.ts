import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { connectPlugin, createSite, runPhp, startSite, stopSite } from '../../scripts/wp/site.mjs';
import { SITE_PACKAGES, ensureCore, missingPackages } from '../../scripts/wp/provision.mjs';

/** A throwaway WordPress 6.8 site (PHP 8.2, SQLite) with the BatchKeys plugin active. */
export interface WordPress {
  url: string;
  adminUrl: string;
  user: string;
  password: string;
  dir: string;
  /** Runs PHP statements (no `<?php`) with WordPress loaded; resolves with what they print. `$args` holds `args`. */
  php(code: string, args?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

export interface StartWordPressOptions {
  /** With `token`: saved in the plugin through batchkeys_set_connection(). */
  serverUrl?: string;
  token?: string;
  /** Install the plugin from this zip instead of linking the working folder plugin/. */
  pluginZip?: string;
  /** PHP files copied into wp-content/mu-plugins (test fixtures). */
  muPlugins?: string[];
}

/**
 * Starts a fresh site in a temp folder on a free loopback port: its own copy of the cached core
 * (`node scripts/wp/cli.mjs provision`, run by .ci/run), its own database, admin login.
 */
export async function startWordPress(opts: StartWordPressOptions = {}): Promise<WordPress> {
  const missing = await missingPackages(SITE_PACKAGES);
  if (missing.length) throw new Error(`missing Debian packages ${missing.join(' ')}: run node scripts/wp/cli.mjs provision as root`);
  await ensureCore();
  const dir = mkdtempSync(join(tmpdir(), 'batchkeys-wp-'));
  try {
    await createSite(dir);
    if (opts.muPlugins?.length) {
      mkdirSync(join(dir, 'wp-content', 'mu-plugins'), { recursive: true });
      for (const file of opts.muPlugins) copyFileSync(file, join(dir, 'wp-content', 'mu-plugins', basename(file)));
    }
    const site = await startSite(dir, { plugin: opts.pluginZip ? { zip: opts.pluginZip } : {}, admin: { password: 'batchkeys-e2e-password' } });
    const wp: WordPress = {
      url: site.url, adminUrl: site.adminUrl, user: site.user, password: site.password, dir,
      php: (code, args = {}) => runPhp(site, code, args),
      async stop() {
        await stopSite(site);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    if (opts.serverUrl && opts.token) {
      const answer = await connectPlugin(site, opts.serverUrl, opts.token).catch(async (err: unknown) => { await wp.stop(); throw err; });
      if (answer !== 'connected') {
        await wp.stop();
        throw new Error('the plugin does not define batchkeys_set_connection(): cannot connect it to the server');
      }
    }
    return wp;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export const SCREENSHOTS = join('test-artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';

export interface Chromium {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and console errors of the pages, for failure messages. */
  errors: string[];
  /** Saves a full-page PNG as test-artifacts/screenshots/<name>.png; resolves with its path. */
  screenshot(name: string, page?: Page): Promise<string>;
  close(): Promise<void>;
}

/**
 * Debian's Chromium driven by playwright-core (its own browser downloads cannot work here), with
 * a new empty profile and the flags this machine needs: root (no sandbox), no GPU, no outside network.
 */
export async function launchChromium(): Promise<Chromium> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run node scripts/wp/cli.mjs provision as root (apt-get install chromium)`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'batchkeys-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  // Generous but bounded: the full suite shares two cores with the PHP workers and the browser.
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(60_000);
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  };
  context.on('page', watch);
  const page = context.pages()[0] ?? await context.newPage();
  watch(page);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context, page, errors,
    async screenshot(name, p = page) {
      const file = join(SCREENSHOTS, `${name}.png`);
      await p.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Logs in through wp-login.php like a person and waits for the dashboard. */
export async function logIn(page: Page, wp: WordPress): Promise<void> {
  await page.goto(`${wp.url}/wp-login.php`);
  await page.getByLabel('Username or Email Address').fill(wp.user);
  await page.getByLabel('Password', { exact: true }).fill(wp.password);
  await page.getByRole('button', { name: 'Log In' }).click();
  await page.waitForURL(/\/wp-admin\/?/);
}

/**
 * An application password for the site's admin, or for a new subscriber, as an Authorization
 * header: REST calls as that user without a browser session.
 */
export async function applicationPassword(wp: WordPress, role: 'administrator' | 'subscriber'): Promise<string> {
  const out = await wp.php(`
if ( 'administrator' === $args['role'] ) {
	$user = get_user_by( 'login', $args['admin'] );
} else {
	$id   = wp_insert_user( array( 'user_login' => 'sub' . wp_rand(), 'user_pass' => wp_generate_password(), 'role' => 'subscriber', 'user_email' => 'sub' . wp_rand() . '@example.com' ) );
	$user = get_user_by( 'id', $id );
}
list( $password ) = WP_Application_Passwords::create_new_application_password( $user->ID, array( 'name' => 'test' . wp_rand() ) );
echo "\\n@@" . $user->user_login . ':' . $password;
`, { role, admin: wp.user });
  const line = out.split('\n').find((l) => l.startsWith('@@'));
  if (!line) throw new Error(`no application password was made: ${out}`);
  return `Basic ${Buffer.from(line.slice(2)).toString('base64')}`;
}
