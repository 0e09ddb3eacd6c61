import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLicense, startTestServer, type TestServer } from '../helpers/server.js';
import { SCREENSHOTS, launchChromium, logIn, startWordPress, type Chromium, type WordPress } from '../helpers/wordpress.js';

// End to end: WordPress 6.8 on PHP 8.2 with the BatchKeys plugin, a real BatchKeys server, and
// Debian's Chromium clicking through the plugin's screens as a site owner would. The plugin is
// installed from the zip that `npm run plugin:zip` makes, so what ships is what is tested.
const validateEndpoint = fileURLToPath(new URL('./fixtures/batchkeys-validate-endpoint.php', import.meta.url));
const CUSTOMER_DOMAIN = 'customer-shop.com';

let server: TestServer;
let wp: WordPress;
let browser: Chromium;

beforeAll(async () => {
  for (const screen of ['keys', 'products', 'settings']) {
    if (!existsSync(`plugin/build/${screen}/index.js`)) throw new Error(`plugin/build/${screen}/index.js is missing: run npm run build`);
  }
  rmSync(join(SCREENSHOTS, 'e2e-failure.png'), { force: true }); // from an earlier failed run
  const zip = 'test-artifacts/batchkeys-e2e.zip';
  execFileSync(process.execPath, ['scripts/plugin-zip.mjs', zip], { stdio: 'pipe', timeout: 60_000 });
  server = await startTestServer();
  wp = await startWordPress({ pluginZip: zip, muPlugins: [validateEndpoint] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await wp?.stop();
  await server?.close();
});

/** Goes to a BatchKeys screen of wp-admin and waits until its React root has rendered something. */
async function openScreen(page: Page, query: string, root: 'keys' | 'products' | 'settings') {
  await page.goto(`${wp.adminUrl}admin.php?${query}`);
  await page.locator(`#batchkeys-${root}-root > *`).first().waitFor();
}

describe('the BatchKeys plugin in real WordPress', () => {
  it('connects, creates a product and a key, finds it, frees a seat, suspends it, and the theme sees SUSPENDED', async () => {
    const { page, screenshot } = browser;
    try {
      await logIn(page, wp);
      await screenshot('01-dashboard');

      // Settings: save the connection, then test it.
      await openScreen(page, 'page=batchkeys-settings', 'settings');
      await page.getByLabel('Server URL').fill(server.url);
      await page.getByLabel('Admin token').fill(server.token);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Settings saved.').first().waitFor();
      await page.getByText('A token is saved').waitFor();
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.getByRole('status').filter({ hasText: 'Connected.' }).waitFor();
      await screenshot('02-settings-connected');

      // Products: create one through the modal form.
      await openScreen(page, 'page=batchkeys-products', 'products');
      await page.getByRole('button', { name: 'Add product' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Gallery Pro');
      await page.getByLabel('Slug', { exact: true }).fill('gallery-pro');
      await page.getByLabel('Key prefix').fill('GAL');
      await screenshot('03-product-form');
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.getByText('Gallery Pro').first().waitFor();
      await screenshot('04-products');
      const product = await server.admin('GET', '/v1/admin/products/gallery-pro');
      expect(product.status).toBe(200);
      expect(product.json.product.keyPrefix).toBe('GAL');

      // Another customer's key, made on the server, so that the search has something to leave out.
      const other = await makeLicense(server, { email: 'bo@example.com' }, 'gallery-pro');

      // Create key: the form, then the key shown once.
      await openScreen(page, 'page=batchkeys', 'keys');
      await page.getByRole('link', { name: 'Add key' }).first().click();
      await page.waitForURL(/view=new/);
      await page.getByLabel('Product', { exact: true }).selectOption({ label: 'Gallery Pro' });
      await page.getByLabel('Licensee email').fill('ana@example.com');
      await page.getByLabel('Licensee name').fill('Ana Lima');
      await page.getByLabel('Lock', { exact: true }).selectOption({ label: 'Locked to domains' });
      await page.getByLabel('Max activations').fill('3');
      await page.getByLabel('Tokens', { exact: true }).fill('1000');
      await screenshot('05-create-key-form');
      await page.getByRole('button', { name: 'Create key' }).click();
      const shownKey = page.getByLabel('New license key');
      await shownKey.waitFor();
      const key = (await shownKey.textContent())?.trim() ?? '';
      expect(key).toMatch(/^GAL-/);
      await page.getByRole('button', { name: 'Copy key' }).waitFor();
      await screenshot('06-key-created');
      const found = await server.admin('GET', '/v1/admin/licenses?email=ana%40example.com');
      expect(found.json.items).toHaveLength(1);
      const license = found.json.items[0];
      expect(license).toMatchObject({ product: 'gallery-pro', name: 'Ana Lima', lock: 'domain', maxActivations: 3, status: 'active', tokens: { remaining: 1000, total: 1000 } });

      // The customer activates the key on their site through the public API.
      const activation = await server.call('POST', '/v1/licenses/activate', { key, domain: CUSTOMER_DOMAIN });
      expect(activation.status).toBe(201);

      // Keys list: both keys, then only Ana's once searched by its key.
      await openScreen(page, 'page=batchkeys', 'keys');
      await page.getByRole('link', { name: 'bo@example.com' }).first().waitFor();
      await page.getByRole('link', { name: 'ana@example.com' }).first().waitFor();
      await page.getByRole('searchbox', { name: 'Search keys' }).fill(key);
      await page.getByRole('link', { name: 'bo@example.com' }).first().waitFor({ state: 'detached' });
      await page.getByRole('link', { name: 'ana@example.com' }).first().waitFor();
      await screenshot('07-keys-search');
      expect(other.id).not.toBe(license.id);

      // Key detail: open it from the list.
      await page.getByRole('link', { name: 'ana@example.com' }).first().click();
      await page.waitForURL(new RegExp(`license=${license.id}`));
      await page.getByText(CUSTOMER_DOMAIN).first().waitFor();
      await screenshot('08-key-detail');

      // Free the customer's seat.
      await page.getByRole('button', { name: 'Deactivate' }).click();
      await page.getByText('This key is not activated anywhere.').waitFor();
      const seats = await server.admin('GET', `/v1/admin/licenses/${license.id}/activations`);
      expect(seats.json.items).toEqual([]);
      await screenshot('09-key-deactivated');

      // Suspend the key.
      await page.getByRole('button', { name: 'Suspend' }).click();
      await page.getByRole('button', { name: 'Reinstate' }).waitFor();
      const suspended = await server.admin('GET', `/v1/admin/licenses/${license.id}`);
      expect(suspended.json.license.status).toBe('suspended');
      await screenshot('10-key-suspended');

      // A theme on the site calls batchkeys_validate() and hears SUSPENDED, signed by the server.
      const res = await fetch(`${wp.url}/?batchkeys_validate=${encodeURIComponent(key)}`, { signal: AbortSignal.timeout(15_000) });
      expect(res.status).toBe(200);
      const answer = await res.json() as { valid: boolean; code: string; source: string };
      // source 'server': a fresh answer whose signature the plugin checked, not a cached one.
      expect(answer).toMatchObject({ valid: false, code: 'SUSPENDED', source: 'server', status: 'suspended' });
      await page.goto(`${wp.url}/?batchkeys_validate=${encodeURIComponent(key)}`);
      await screenshot('11-theme-validate-suspended');
    } catch (err) {
      await screenshot('e2e-failure').catch(() => undefined);
      if (browser.errors.length && err instanceof Error) err.message += `\nbrowser errors:\n${browser.errors.slice(-10).join('\n')}`;
      throw err;
    }
  }, 240_000);
});
