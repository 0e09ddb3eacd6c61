import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPackages } from '../../scripts/wp/provision.mjs';
import { cliFor } from '../cli/helpers.js';
import { makeLicense, startTestServer, type TestServer } from '../helpers/server.js';
import { SCREENSHOTS, launchChromium, logIn, startWordPress, type Chromium, type WordPress } from '../helpers/wordpress.js';

// End to end, the privacy tooling of issue 6: WordPress 6.8 (PHP 8.2) with the plugin installed
// from its zip and connected to a real BatchKeys server, driven by Debian's Chromium. Core's own
// privacy tools (Tools > Export / Erase Personal Data, the Privacy Policy Guide) call the
// plugin's exporter, eraser and suggested text; the plugin's Privacy screen does the rest.
// WordPress mails the confirmation link of a request to the data subject: a mu-plugin fixture
// keeps those mails in an option (there is no mail server), and the test opens the link as the
// person would.
const captureMail = fileURLToPath(new URL('./fixtures/batchkeys-capture-mail.php', import.meta.url));
const EMAIL = 'ana.privacy@example.com';
const OTHER = 'bo.privacy@example.com';
const DOMAIN = 'ana-shop.example';
const DAY = 86_400_000;

let server: TestServer;
let wp: WordPress;
let browser: Chromium;
let work: string;
/** Ana's license (created in beforeAll), and Bo's, which nothing here may touch. */
let ana: { key: string; id: string };
let bo: { key: string; id: string };

beforeAll(async () => {
  for (const screen of ['keys', 'products', 'settings', 'privacy']) {
    if (!existsSync(`plugin/build/${screen}/index.js`)) throw new Error(`plugin/build/${screen}/index.js is missing: run npm run plugin:build`);
  }
  if (!existsSync('dist/cli/index.js')) throw new Error('dist/cli/index.js is missing: run npm run build:server');
  // Core's export writes a ZIP with ZipArchive: without PHP's zip extension it refuses to export.
  const missing = await missingPackages(['php-zip']);
  if (missing.length) throw new Error('missing Debian package php-zip (core\'s personal data export needs ZipArchive): apt-get install php-zip');
  // A fresh clone has no screenshot folder until a browser test made one.
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const old of readdirSync(SCREENSHOTS, { withFileTypes: true }).filter((f) => f.name.startsWith('privacy-failure'))) rmSync(join(SCREENSHOTS, old.name), { force: true });
  work = mkdtempSync(join(tmpdir(), 'batchkeys-privacy-e2e-'));
  const zip = 'test-artifacts/batchkeys-privacy-e2e.zip';
  execFileSync(process.execPath, ['scripts/plugin-zip.mjs', zip], { stdio: 'pipe', timeout: 60_000 });
  const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8', timeout: 30_000 });
  if (!/batchkeys\/build\/privacy\/index\.js/.test(listing)) throw new Error(`${zip} does not hold build/privacy/index.js`);
  server = await startTestServer({
    BATCHKEYS_CONTROLLER_NAME: 'Ana Lima Software',
    BATCHKEYS_PRIVACY_CONTACT: 'privacy@batchkeys-e2e.example',
    BATCHKEYS_SUPERVISORY_AUTHORITY: 'CNPD (Portugal)',
    BATCHKEYS_SUBPROCESSORS: JSON.stringify([{ name: 'Hetzner Online GmbH', purpose: 'server hosting', location: 'Germany' }]),
  });
  // Ana has a key, activated on her shop and checked from it; Bo has one too.
  ana = await makeLicense(server, { email: EMAIL, name: 'Ana Lima', lock: 'domain', maxActivations: 3 }, 'gallery-pro');
  bo = await makeLicense(server, { email: OTHER, name: 'Bo Berg' }, 'gallery-pro');
  const activated = await server.call('POST', '/v1/licenses/activate', { key: ana.key, domain: DOMAIN });
  if (activated.status !== 201) throw new Error(`activate: ${activated.status} ${activated.raw.toString()}`);
  const validated = await server.call('POST', '/v1/licenses/validate', { key: ana.key, domain: DOMAIN });
  if (validated.status !== 200 || validated.json.valid !== true) throw new Error(`validate: ${validated.status} ${validated.raw.toString()}`);
  wp = await startWordPress({ pluginZip: zip, muPlugins: [captureMail], serverUrl: server.url, token: server.token });
  browser = await launchChromium();
  await logIn(browser.page, wp);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await wp?.stop();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A full-page screenshot from the top (a scrolled page would draw the fixed admin bar mid-page). */
async function shot(name: string) {
  await browser.page.evaluate(() => window.scrollTo(0, 0));
  return browser.screenshot(name);
}

/** Runs a step; on failure keeps a screenshot and the browser's errors in the message. */
async function step(name: string, body: (page: Page) => Promise<void>) {
  try {
    await body(browser.page);
  } catch (err) {
    await browser.screenshot(`privacy-failure-${name}`).catch(() => undefined);
    if (browser.errors.length && err instanceof Error) err.message += `\nbrowser errors:\n${browser.errors.slice(-10).join('\n')}`;
    throw err;
  }
}

async function openPrivacyScreen(page: Page) {
  await page.goto(`${wp.adminUrl}admin.php?page=batchkeys-privacy`);
  await page.locator('#batchkeys-privacy-root > *').first().waitFor();
  await page.getByRole('heading', { name: 'Data inventory', exact: true }).waitFor();
}

interface Mail { to: string; subject: string; message: string }

async function mails(): Promise<Mail[]> {
  return JSON.parse((await wp.php(`echo wp_json_encode( get_option( 'batchkeys_test_mails', array() ) );`)).trim()) as Mail[];
}

/**
 * Adds a request on core's Tools screen as a site owner does (with the confirmation email), then
 * opens the link that email carries, as the data subject does.
 */
async function requestAndConfirm(page: Page, screen: 'export-personal-data.php' | 'erase-personal-data.php', kind: 'export' | 'erasure') {
  const before = (await mails()).length;
  await page.goto(`${wp.adminUrl}${screen}`);
  await page.getByLabel('Username or email address').fill(EMAIL);
  expect(await page.getByLabel(`Send personal data ${kind} confirmation email.`).isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Send Request' }).click();
  await page.getByText('Confirmation request initiated successfully.').waitFor();
  const sent = (await mails()).slice(before).filter((m) => m.to === EMAIL);
  expect(sent).toHaveLength(1);
  const link = /(https?:\/\/\S*action=confirmaction\S*)/.exec(sent[0]!.message)?.[1];
  expect(link, `no confirmation link in:\n${sent[0]!.message}`).toBeTruthy();
  const url = new URL(link!);
  expect(url.origin).toBe(new URL(wp.url).origin); // loopback only
  expect(url.searchParams.get('confirm_key')).toBeTruthy();
  await page.goto(url.toString());
  await page.getByText(`Thanks for confirming your ${kind} request.`).waitFor();
  await shot(`privacy-0${kind === 'export' ? 2 : 5}-${kind}-confirmed`);
  await page.goto(`${wp.adminUrl}${screen}`);
  const row = page.locator('#the-list tr', { hasText: EMAIL });
  await row.locator('.status-label.status-request-confirmed').waitFor();
  return row;
}

/** What the server holds about an email, asked with the admin API directly. */
async function serverHolds(email: string) {
  const found = await server.admin('POST', '/v1/admin/privacy/subjects/search', { kind: 'email', value: email });
  expect(found.status).toBe(200);
  return found.json as { licenses: { id: string }[]; activations: { domain: string | null }[]; requests: { action: string }[]; tokenUsage: unknown[] };
}

describe('privacy tooling in real WordPress with a real server', () => {
  it('exports an email\'s licenses, activations and license requests through Tools > Export Personal Data', async () => {
    await step('export', async (page) => {
      const held = await serverHolds(EMAIL);
      expect(held.licenses.map((l) => l.id)).toEqual([ana.id]);
      expect(held.activations.map((a) => a.domain)).toEqual([DOMAIN]);
      expect(held.requests.map((r) => r.action).sort()).toEqual(['activate', 'validate']);

      await page.goto(`${wp.adminUrl}export-personal-data.php`);
      await shot('privacy-01-export-screen');
      const row = await requestAndConfirm(page, 'export-personal-data.php', 'export');

      // "Download personal data": core runs every exporter page by page, writes the ZIP and
      // sends the browser to it.
      await row.hover();
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 90_000 }),
        row.getByRole('button', { name: 'Download personal data', exact: true }).click(),
      ]);
      await page.getByText('This user’s personal data export file was downloaded.').waitFor();
      await shot('privacy-03-export-downloaded');
      const zipPath = join(work, 'export.zip');
      await download.saveAs(zipPath);
      const out = join(work, 'export');
      execFileSync('unzip', ['-q', '-o', zipPath, '-d', out], { timeout: 30_000 });
      expect(readdirSync(out).sort()).toEqual(['export.json', 'index.html']);

      // The JSON report: the BatchKeys groups, holding Ana's data and nobody else's.
      const report = JSON.parse(readFileSync(join(out, 'export.json'), 'utf8')) as Record<string, Record<string, { group_label: string; items: Record<string, { name: string; value: unknown }[]> }>>;
      const groups = report[`Personal Data Export for ${EMAIL}`];
      expect(groups, Object.keys(report).join(', ')).toBeTruthy();
      const values = (id: string) => Object.values(groups![id]?.items ?? {}).map((fields) => Object.fromEntries(fields.map((f) => [f.name, f.value])));
      expect(Object.keys(groups!)).toEqual(expect.arrayContaining(['batchkeys-licenses', 'batchkeys-activations', 'batchkeys-requests']));
      const licenses = values('batchkeys-licenses');
      expect(licenses).toHaveLength(1);
      expect(licenses[0]).toMatchObject({ 'License ID': ana.id, Email: EMAIL, Name: 'Ana Lima', Product: 'gallery-pro' });
      expect(JSON.stringify(licenses[0])).not.toContain(ana.key); // never the full key
      const activations = values('batchkeys-activations');
      expect(activations).toHaveLength(1);
      expect(activations[0]).toMatchObject({ 'License ID': ana.id, Domain: DOMAIN });
      const requests = values('batchkeys-requests');
      expect(requests.map((r) => r.Action).sort()).toEqual(['activate', 'validate']);
      for (const r of requests) expect(r).toMatchObject({ 'License ID': ana.id, Domain: DOMAIN, 'IP address': expect.stringMatching(/127\.0\.0\.1$/) });
      const json = readFileSync(join(out, 'export.json'), 'utf8');
      expect(json).not.toContain(OTHER);
      expect(json).not.toContain(bo.id);

      // The HTML report shows the same groups to the person.
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      for (const label of [groups!['batchkeys-licenses']!.group_label, groups!['batchkeys-activations']!.group_label, groups!['batchkeys-requests']!.group_label]) {
        expect(html).toContain(label);
      }
      expect(html).toContain(ana.id);
      expect(html).toContain(DOMAIN);
      await page.goto(`file://${join(out, 'index.html')}`);
      await page.getByText(DOMAIN).first().waitFor();
      await shot('privacy-04-export-report');
    });
  }, 300_000);

  it('erases them through Tools > Erase Personal Data, and then the server holds nothing for that email', async () => {
    await step('erase', async (page) => {
      const row = await requestAndConfirm(page, 'erase-personal-data.php', 'erasure');
      await row.getByRole('button', { name: 'Erase personal data', exact: true }).click();
      // The result row core adds under the request, with the eraser's messages.
      const result = page.locator('.request-results');
      await result.getByText(/personal data (found for this user )?was erased|was found for this user but/i).first().waitFor({ timeout: 90_000 });
      expect(await result.textContent()).not.toContain('An error occurred');
      await shot('privacy-06-erased');

      const held = await serverHolds(EMAIL);
      expect(held.licenses).toEqual([]);
      expect(held.activations).toEqual([]);
      expect(held.requests).toEqual([]);
      expect(held.tokenUsage).toEqual([]);
      // Ana's key no longer works; Bo's is untouched.
      const check = await server.call('POST', '/v1/licenses/validate', { key: ana.key });
      expect(check.json.valid).toBe(false);
      expect((await serverHolds(OTHER)).licenses.map((l) => l.id)).toEqual([bo.id]);
    });
  }, 300_000);

  it('anonymises old comments from the Privacy screen, leaves new ones, and the policy guide follows the retention', async () => {
    await step('retention', async (page) => {
      // Two comments from 400 days ago and one from today, each with an IP address and a user agent.
      const ids = JSON.parse((await wp.php(`
$post = get_posts( array( 'numberposts' => 1, 'post_type' => 'post' ) )[0];
$out  = array();
foreach ( $args['comments'] as $c ) {
  $gmt   = gmdate( 'Y-m-d H:i:s', time() - $c['age'] * DAY_IN_SECONDS );
  $out[] = wp_insert_comment( array(
    'comment_post_ID' => $post->ID, 'comment_author' => $c['author'], 'comment_author_email' => $c['author'] . '@example.org',
    'comment_content' => 'A comment.', 'comment_author_IP' => $c['ip'], 'comment_agent' => $c['agent'],
    'comment_date_gmt' => $gmt, 'comment_date' => get_date_from_gmt( $gmt ), 'comment_approved' => 1,
  ) );
}
echo wp_json_encode( $out );`, {
        comments: [
          { author: 'old1', age: 400, ip: '203.0.113.45', agent: 'OldBrowser/1.0 (X11)' },
          { author: 'old2', age: 400, ip: '2001:db8:85a3::8a2e:370:7334', agent: 'OldBrowser/2.0 (Mac)' },
          { author: 'new1', age: 0, ip: '198.51.100.7', agent: 'NewBrowser/3.0 (Linux)' },
        ],
      })).trim()) as number[];
      expect(ids).toHaveLength(3);
      const comments = async () => JSON.parse((await wp.php(`
echo wp_json_encode( array_map( fn( $id ) => array( 'ip' => get_comment( $id )->comment_author_IP, 'agent' => get_comment( $id )->comment_agent ), $args['ids'] ) );`, { ids })).trim()) as { ip: string; agent: string }[];

      // The suggested text before: no retention period.
      // Core's Privacy Policy Guide (Settings > Privacy > Policy Guide in 6.8): the panel of the
      // accordion entry named BatchKeys.
      const guideText = async () => {
        await page.goto(`${wp.adminUrl}options-privacy.php?tab=policyguide`);
        const panel = await batchKeysGuidePanel(page);
        await panel.waitFor({ state: 'attached' });
        return (await panel.textContent()) ?? '';
      };
      // Only the sentences about comments: the server's part has its own periods (like answering
      // requests within 30 days).
      const aboutComments = (text: string) => text.split(/\n|(?<=\.)\s/).filter((line) => /comment/i.test(line)).join('\n');
      const before = aboutComments(await guideText());
      expect(before).toMatch(/IP address/);
      expect(before).not.toMatch(/30 days/);
      await openBatchKeysGuide(page);
      await shot('privacy-07-policy-guide-before');

      await openPrivacyScreen(page);
      // The inventory names what the server keeps and what this site keeps about commenters.
      const inventory = page.getByRole('region', { name: 'Data inventory' });
      for (const what of ['Request log', 'IP address anonymisation', 'Audit log', 'Deactivated activations', 'Expired licenses']) {
        await inventory.getByRole('rowheader', { name: what, exact: true }).waitFor();
      }
      await inventory.getByRole('row', { name: /Comment IP addresses and user agents/ }).filter({ hasText: 'Kept (no retention set)' }).waitFor();
      const subprocessors = page.getByRole('region', { name: 'Subprocessors' });
      await subprocessors.getByRole('rowheader', { name: 'Hetzner Online GmbH' }).waitFor();
      await subprocessors.getByRole('row', { name: /Hetzner Online GmbH/ }).filter({ hasText: 'Germany' }).waitFor();
      await shot('privacy-08-screen');

      const retention = page.getByRole('region', { name: 'Retention', exact: true });
      expect(await retention.getByRole('button', { name: 'Run retention now' }).getAttribute('aria-disabled')).toBe('true');
      // Keyboard only: type the period, tab through both boxes, submit with Enter.
      const days = retention.getByLabel('Delete commenter IPs and user agents after (days)');
      await days.fill('-3');
      await retention.getByRole('button', { name: 'Save retention' }).click();
      await retention.getByText('Enter a whole number of days').waitFor();
      await days.fill('30');
      expect(await retention.getByLabel('Store commenter IP addresses').isChecked()).toBe(true);
      expect(await retention.getByLabel('Store commenter user agents').isChecked()).toBe(true);
      await days.press('Enter');
      await page.getByText('Retention saved.').first().waitFor();
      expect(JSON.parse((await wp.php(`echo wp_json_encode( get_option( 'batchkeys_comment_privacy' ) );`)).trim())).toMatchObject({ retention_days: 30 });
      // Nothing changed yet: the job has not run.
      expect((await comments())[0]).toEqual({ ip: '203.0.113.45', agent: 'OldBrowser/1.0 (X11)' });

      await retention.getByRole('button', { name: 'Run retention now' }).click();
      await retention.getByRole('status').getByText('Retention ran: 2 comments anonymised.').waitFor();
      await inventory.getByRole('row', { name: /Comment IP addresses and user agents/ }).filter({ hasText: '30 days' }).waitFor();
      await shot('privacy-09-retention-ran');
      const [old1, old2, new1] = await comments();
      expect(old1).toEqual({ ip: '203.0.113.0', agent: '' });
      expect(old2!.agent).toBe('');
      expect(old2!.ip).not.toBe('2001:db8:85a3::8a2e:370:7334');
      expect(old2!.ip).toMatch(/^2001:db8:85a3::?/);
      expect(new1).toEqual({ ip: '198.51.100.7', agent: 'NewBrowser/3.0 (Linux)' });
      // A second run finds nothing left to do.
      await retention.getByRole('button', { name: 'Run retention now' }).click();
      await retention.getByRole('status').getByText('Retention ran: no comment was old enough to anonymise.').waitFor();

      // The suggested text now says what happens after 30 days.
      const after = aboutComments(await guideText());
      expect(after).not.toBe(before);
      expect(after).toMatch(/30 days/);
      await openBatchKeysGuide(page);
      await shot('privacy-10-policy-guide-after');

      // Stop storing commenter IP addresses (with the keyboard), then comment on the site: the
      // new comment keeps its user agent but not the full IP address (php -S sees 127.0.0.1).
      await openPrivacyScreen(page);
      const storeIp = page.getByRole('region', { name: 'Retention', exact: true }).getByLabel('Store commenter IP addresses');
      await storeIp.focus();
      await page.keyboard.press('Space');
      expect(await storeIp.isChecked()).toBe(false);
      await page.getByRole('region', { name: 'Retention', exact: true }).getByRole('button', { name: 'Save retention' }).click();
      await page.getByText('Retention saved.').first().waitFor();
      const postUrl = (await wp.php(`echo get_permalink( get_posts( array( 'numberposts' => 1, 'post_type' => 'post' ) )[0] );`)).trim();
      await page.goto(postUrl);
      await page.locator('textarea#comment').fill('A comment posted after IP storage was turned off.');
      await page.getByRole('button', { name: 'Post Comment' }).click();
      await page.getByText('A comment posted after IP storage was turned off.').first().waitFor();
      const latest = JSON.parse((await wp.php(`
$c = get_comments( array( 'number' => 1, 'orderby' => 'comment_ID', 'order' => 'DESC' ) )[0];
echo wp_json_encode( array( 'content' => $c->comment_content, 'ip' => $c->comment_author_IP, 'agent' => $c->comment_agent ) );`)).trim()) as { content: string; ip: string; agent: string };
      expect(latest.content).toBe('A comment posted after IP storage was turned off.');
      expect(latest.ip).not.toBe('127.0.0.1');
      expect(latest.agent).toMatch(/Chrom/);
    });
  }, 300_000);

  it('records a data-subject request received 40 days ago and shows it overdue; creates a breach report and shows its deadline', async () => {
    await step('requests-breach', async (page) => {
      // Something for the report to find: a key revealed through the admin API.
      const revealed = await server.admin('GET', `/v1/admin/licenses/${bo.id}/key`);
      expect(revealed.status).toBe(200);

      await openPrivacyScreen(page);
      const requests = page.getByRole('region', { name: 'Data-subject requests' });
      await requests.getByText('No data-subject requests recorded.').waitFor();
      const received = new Date(Date.now() - 40 * DAY).toISOString().slice(0, 10);
      await requests.getByLabel('Request type').selectOption({ label: 'Access' });
      await requests.getByLabel('Subject email').fill('not an email');
      await requests.getByRole('button', { name: 'Record request' }).click();
      await requests.getByText('Enter the email address of the person').waitFor();
      await requests.getByLabel('Subject email').fill(OTHER);
      await requests.getByLabel('Received on').fill(received);
      await requests.getByRole('button', { name: 'Record request' }).click();
      await page.getByText('Request recorded.').first().waitFor();
      const row = requests.locator('tbody tr').first();
      await row.getByText('Overdue', { exact: true }).waitFor();
      await row.getByText(/\(10 days late\)/).waitFor();
      await requests.getByRole('alert').getByText('Overdue: 1 open request is past its deadline.', { exact: false }).waitFor();
      const listed = await server.admin('GET', '/v1/admin/privacy/requests?overdue=true');
      expect(listed.json.items).toHaveLength(1);
      expect(listed.json.items[0]).toMatchObject({ kind: 'access', status: 'open', receivedAt: `${received}T00:00:00.000Z` });
      await shot('privacy-11-request-overdue');

      // Completing it: the server carries out the access request (an export) and closes it.
      await row.getByRole('button', { name: /^Complete the Access request/ }).click();
      await page.getByText('Request completed.').first().waitFor();
      await row.getByText(/^Completed /).waitFor();
      await requests.getByRole('alert').waitFor({ state: 'detached' });
      const done = await server.admin('GET', `/v1/admin/privacy/requests/${listed.json.items[0].id}`);
      expect(done.json.request.status).toBe('completed');
      expect(done.json.request.artefact).toMatchObject({ licenses: [expect.objectContaining({ id: bo.id })] });

      // Breach report over the last 24 hours (the form's default window).
      const breach = page.getByRole('region', { name: 'Breach report' });
      expect(await breach.getByLabel('From', { exact: true }).inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
      expect(await breach.getByLabel('To', { exact: true }).inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
      await breach.getByRole('button', { name: 'Create breach report' }).click();
      const report = breach.locator('.batchkeys-privacy__report');
      await report.waitFor();
      const reportText = (await report.textContent()) ?? '';
      expect(reportText).toContain('Notify the supervisory authority by');
      expect(reportText).toMatch(/7[12] hours left\./);
      expect(reportText).toContain('1 license key was revealed.');
      expect(reportText).toContain(bo.id);
      expect(reportText).toMatch(/\d+ data subjects? \(licensees?\) concerning \d+ licenses?\./);
      expect(reportText).toContain('controller (privacy contact): privacy@batchkeys-e2e.example');
      expect(reportText).toContain('supervisory authority: CNPD (Portugal)');
      expect(reportText).toContain('GET /v1/admin/licenses/:id/key: 1');
      const deadline = (await report.locator('.batchkeys-privacy__deadline').textContent()) ?? '';
      expect(deadline.trim()).not.toBe('');
      await shot('privacy-12-breach-report');
    });
  }, 300_000);

  it('shuts down API access after a warning, after which the plugin is refused until the CLI reinstates it', async () => {
    await step('api-access', async (page) => {
      const me = await server.admin('GET', '/v1/admin/account');
      expect(me.json.account).toMatchObject({ operator: true, apiSuspendedAt: null });
      const accountId = me.json.account.id as string;
      await openPrivacyScreen(page);
      const access = page.getByRole('region', { name: 'API access' });
      await access.getByText(/API access is on/).waitFor();
      await access.getByRole('button', { name: 'Shut down API access' }).click();
      const dialog = page.getByRole('dialog', { name: 'Shut down API access?' });
      await dialog.waitFor();
      const warning = (await dialog.textContent()) ?? '';
      expect(warning).toContain('This plugin itself loses access too');
      expect(warning).toContain(`batchkeys account reinstate-api ${accountId}`);
      await shot('privacy-13-api-shutdown-confirm');
      // Cancel first: nothing happens.
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect((await server.admin('GET', '/v1/admin/account')).status).toBe(200);

      await access.getByRole('button', { name: 'Shut down API access' }).click();
      await dialog.getByRole('button', { name: 'Shut down API access' }).click();
      await page.getByText('API access is shut down.').first().waitFor();
      const refused = await server.admin('GET', '/v1/admin/account');
      expect(refused.status).toBe(403);
      expect(refused.json.error?.code ?? refused.json.code).toBe('API_SUSPENDED');

      // A fresh load: the screen knows from the server's refusal, and says how to get back.
      await page.goto(`${wp.adminUrl}admin.php?page=batchkeys-privacy`);
      await page.getByRole('heading', { name: 'API access', exact: true }).waitFor();
      const suspended = page.getByRole('region', { name: 'API access' });
      await suspended.getByText('API access is shut down.').waitFor();
      expect((await suspended.locator('code').first().textContent()) ?? '').toMatch(/^batchkeys account reinstate-api /);
      await suspended.getByRole('button', { name: 'Reinstate API access' }).waitFor();
      await shot('privacy-14-api-shut-down');

      // The operator reinstates it from the server's command line, on the same data.
      const out = await cliFor(server.dataDir).ok('account', 'reinstate-api', accountId);
      expect(out).toContain('reinstated');
      expect((await server.admin('GET', '/v1/admin/account')).status).toBe(200);
      await openPrivacyScreen(page);
      await page.getByRole('region', { name: 'API access' }).getByText(/API access is on/).waitFor();
      await shot('privacy-15-api-reinstated');
    });
  }, 300_000);
});

const guideTrigger = (page: Page) =>
  page.locator('.privacy-settings-accordion-trigger').filter({ has: page.locator('.title', { hasText: /^BatchKeys$/ }) }).first();

/** The Privacy Policy Guide's panel of the BatchKeys entry (hidden until opened). */
async function batchKeysGuidePanel(page: Page) {
  const trigger = guideTrigger(page);
  await trigger.waitFor();
  const id = await trigger.getAttribute('aria-controls');
  if (!id) throw new Error('the BatchKeys entry of the policy guide controls no panel');
  return page.locator(`[id="${id}"]`);
}

/** Opens the BatchKeys entry of the Privacy Policy Guide's accordion, for the screenshot. */
async function openBatchKeysGuide(page: Page) {
  const trigger = guideTrigger(page);
  if ((await trigger.getAttribute('aria-expanded')) !== 'true') await trigger.click();
  await (await batchKeysGuidePanel(page)).waitFor();
  await trigger.scrollIntoViewIfNeeded();
}
