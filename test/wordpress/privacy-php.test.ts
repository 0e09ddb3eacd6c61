import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLicense, startTestServer, type TestServer } from '../helpers/server.js';
import { applicationPassword, startWordPress, type WordPress } from '../helpers/wordpress.js';

/**
 * The plugin's privacy tools against real WordPress and a real BatchKeys server: the personal-data
 * exporter and eraser in core's contract, commenter IP and user-agent retention, the suggested
 * policy text and the Privacy screen's REST routes.
 */

let server: TestServer;
let wp: WordPress;
let adminAuth: string;
let subscriberAuth: string;

interface Reply { status: number; json: any; text: string } // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs PHP in WordPress and parses the JSON it prints after `@@`. */
async function php<T = any>(code: string, args: Record<string, unknown> = {}): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out = await wp.php(`${code}\n`, args);
  const line = out.split('\n').find((l) => l.startsWith('@@'));
  if (!line) throw new Error(`no result from PHP: ${out.slice(-800)}`);
  return JSON.parse(line.slice(2)) as T;
}

async function rest(method: string, path: string, body?: unknown, auth: string | null = adminAuth): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const [route, query] = path.split('?');
  const res = await fetch(`${wp.url}/?rest_route=${encodeURIComponent(`/batchkeys/v1${route}`)}${query ? `&${query}` : ''}`, {
    method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json, text };
}

/** Logs in through wp-login.php and answers the cookies, to read wp-admin pages as the admin. */
async function adminCookies(): Promise<string> {
  const test = 'wordpress_test_cookie=WP%20Cookie%20check';
  const res = await fetch(`${wp.url}/wp-login.php`, {
    method: 'POST', redirect: 'manual', headers: { cookie: test, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ log: wp.user, pwd: wp.password, testcookie: '1', 'wp-submit': 'Log In' }),
    signal: AbortSignal.timeout(60_000),
  });
  expect(res.status).toBe(302);
  return [test, ...res.headers.getSetCookie().map((c) => c.split(';')[0]!)].join('; ');
}

const EXPORT_ALL = `
$exporters = apply_filters( 'wp_privacy_personal_data_exporters', array() );
$pages     = array();
for ( $page = 1; $page < 20; $page++ ) {
	$r = call_user_func( $exporters['batchkeys']['callback'], $args['email'], $page );
	if ( is_wp_error( $r ) ) { $pages[] = array( 'error' => $r->get_error_code(), 'message' => $r->get_error_message() ); break; }
	$pages[] = $r;
	if ( $r['done'] ) { break; }
}
echo "\\n@@" . wp_json_encode( array( 'name' => $exporters['batchkeys']['exporter_friendly_name'], 'pages' => $pages ) );
`;

interface ExportItem { group_id: string; group_label: string; group_description: string; item_id: string; data: { name: string; value: string }[] }
interface ExportPage { data: ExportItem[]; done: boolean; error?: string; message?: string }

const field = (item: ExportItem, name: string) => item.data.find((d) => d.name === name)?.value;

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

describe('personal-data exporter and eraser', () => {
  const email = 'alice.licensee@example.com';
  let keyed: { key: string; id: string };
  let tokenKey: { key: string; id: string };

  beforeAll(async () => {
    // 1 domain-locked key with 60 activations (60 activations + 60 request-log rows) and a token
    // key used twice: more than one page of 100 items.
    keyed = await makeLicense(server, { email, name: 'Alice Licensee', lock: 'domain', maxActivations: 100 }, 'theme-pro');
    for (let i = 0; i < 60; i++) {
      const r = await server.call('POST', '/v1/licenses/activate', { key: keyed.key, domain: `site${i}.example.org`, label: `Site ${i}` });
      expect(r.status).toBe(201);
    }
    tokenKey = await makeLicense(server, { email, name: 'Alice Licensee', tokens: 50 }, 'ai-credits');
    for (let i = 0; i < 2; i++) {
      expect((await server.call('POST', '/v1/licenses/consume', { key: tokenKey.key, amount: 3 })).status).toBe(200);
    }
    // Someone else's key must not appear.
    await makeLicense(server, { email: 'bob@example.com', name: 'Bob' }, 'theme-pro');
  }, 120_000);

  it('registers a "BatchKeys licenses" exporter that pages 100 items at a time until done', async () => {
    const { name, pages } = await php<{ name: string; pages: ExportPage[] }>(EXPORT_ALL, { email: 'Alice.Licensee@Example.com' });
    expect(name).toBe('BatchKeys licenses');
    expect(pages.map((p) => p.error ?? null)).toEqual([null, null]);
    expect(pages.map((p) => [p.data.length, p.done])).toEqual([[100, false], [27, true]]);
    const items = pages.flatMap((p) => p.data);
    const byGroup = (g: string) => items.filter((i) => i.group_id === g);
    expect(byGroup('batchkeys-licenses')).toHaveLength(2);
    expect(byGroup('batchkeys-activations')).toHaveLength(60);
    // The grant of the initial 50 tokens and two consumptions.
    expect(byGroup('batchkeys-token-usage')).toHaveLength(3);
    expect(byGroup('batchkeys-requests')).toHaveLength(62);
    expect(items.length).toBe(127);
    for (const item of items) {
      expect(item.group_id).toMatch(/^batchkeys-/);
      expect(item.group_label).not.toBe('');
      expect(item.group_description).not.toBe('');
      expect(item.item_id).toMatch(/^batchkeys-/);
      for (const d of item.data) expect(typeof d.value).toBe('string');
    }
    expect(new Set(items.map((i) => i.item_id)).size).toBe(items.length);

    const license = byGroup('batchkeys-licenses').find((i) => field(i, 'License ID') === keyed.id)!;
    expect(license.group_label).toBe('License keys');
    expect(field(license, 'Product')).toBe('theme-pro');
    expect(field(license, 'Email')).toBe(email);
    expect(field(license, 'Name')).toBe('Alice Licensee');
    expect(field(license, 'Locked to')).toBe('domain');
    expect(field(license, 'Seats')).toBe('100');
    expect(field(license, 'Key (last characters)')).toBe(`…${keyed.key.slice(-5)}`);
    expect(field(license, 'Status')).toBe('active');
    expect(field(license, 'Expires')).toBe('Never');
    const tokens = byGroup('batchkeys-licenses').find((i) => field(i, 'License ID') === tokenKey.id)!;
    expect(field(tokens, 'Tokens remaining')).toBe('44');

    const activation = byGroup('batchkeys-activations').find((i) => field(i, 'Domain') === 'site7.example.org')!;
    expect(field(activation, 'Label')).toBe('Site 7');
    expect(field(activation, 'License ID')).toBe(keyed.id);
    const consumed = byGroup('batchkeys-token-usage').filter((i) => field(i, 'Change') === '-3');
    expect(consumed).toHaveLength(2);
    const request = byGroup('batchkeys-requests').find((i) => field(i, 'Domain') === 'site7.example.org')!;
    expect(field(request, 'Action')).toBe('activate');
    expect(field(request, 'Outcome')).toBe('ACTIVATED');
    expect(field(request, 'IP address')).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    expect(field(request, 'Time')).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Bob is not in Alice's export, and the cached answer is gone after the last page.
    expect(JSON.stringify(items)).not.toContain('bob@example.com');
    const left = await php<{ n: number }>(`
global $wpdb;
echo "\\n@@" . wp_json_encode( array( 'n' => (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE '%batchkeys_dsx_%'" ) ) );
`);
    expect(left.n).toBe(0);
  });

  it('names the cached export by a digest, never by the email, between pages', async () => {
    const out = await php<{ page: ExportPage; names: string[]; withEmail: number }>(`
$exporters = apply_filters( 'wp_privacy_personal_data_exporters', array() );
$page = call_user_func( $exporters['batchkeys']['callback'], $args['email'], 1 );
global $wpdb;
$names = $wpdb->get_col( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE '%batchkeys_dsx_%'" );
$like  = '%' . $wpdb->esc_like( 'alice.licensee' ) . '%';
$with  = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE %s", $like ) );
delete_transient( BatchKeys\\Privacy\\Personal_Data_Exporter::cache_key( $args['email'] ) );
echo "\\n@@" . wp_json_encode( array( 'page' => array( 'done' => $page['done'], 'data' => array() ), 'names' => $names, 'withEmail' => $with ) );
`, { email });
    expect(out.page.done).toBe(false);
    expect(out.names.some((n) => /^_transient_batchkeys_dsx_[0-9a-f]{40}$/.test(n))).toBe(true);
    expect(out.withEmail).toBe(0);
  });

  it('fails the page with a WP_Error when the server cannot be reached, instead of exporting nothing', async () => {
    const { pages } = await php<{ pages: ExportPage[] }>(`add_filter( 'batchkeys_server_url', fn() => 'http://127.0.0.1:1' );\n${EXPORT_ALL}`, { email });
    expect(pages).toHaveLength(1);
    expect(pages[0]!.error).toBe('batchkeys_unreachable');
    expect(pages[0]!.message).toContain('could not export');
  });

  it('answers an empty, finished export for an email the server does not know', async () => {
    const { pages } = await php<{ pages: ExportPage[] }>(EXPORT_ALL, { email: 'nobody@example.com' });
    expect(pages).toEqual([{ data: [], done: true }]);
  });

  it('erases the email on the server, names the keys that stop working and what was retained', async () => {
    const r = await php<{ name: string; result: { items_removed: boolean; items_retained: boolean; messages: string[]; done: boolean } }>(`
$erasers = apply_filters( 'wp_privacy_personal_data_erasers', array() );
$r = call_user_func( $erasers['batchkeys']['callback'], $args['email'], 1 );
echo "\\n@@" . wp_json_encode( array( 'name' => $erasers['batchkeys']['eraser_friendly_name'], 'result' => is_wp_error( $r ) ? $r->get_error_message() : $r ) );
`, { email });
    expect(r.name).toBe('BatchKeys licenses');
    expect(r.result.done).toBe(true);
    expect(r.result.items_removed).toBe(true);
    const text = r.result.messages.join('\n');
    expect(text).toContain(`ending ${keyed.key.slice(-5)} for theme-pro (license ${keyed.id})`);
    expect(text).toContain(`ending ${tokenKey.key.slice(-5)} for ai-credits (license ${tokenKey.id})`);
    expect(text).toContain('removed 2 licenses, 60 activations');
    // The admin API calls that created the licenses are audit entries, kept for accountability.
    expect(r.result.items_retained).toBe(true);
    expect(text).toMatch(/BatchKeys kept \d+ audit log entries: Kept to account for administrative actions/);

    const after = await server.admin('POST', '/v1/admin/privacy/subjects/search', { kind: 'email', value: email });
    expect(after.status).toBe(200);
    expect(after.json.licenses).toEqual([]);
    expect(after.json.activations).toEqual([]);
    expect(after.json.tokenUsage).toEqual([]);
    expect(after.json.requests).toEqual([]);
    // The keys no longer validate; Bob's key is untouched.
    expect((await server.call('POST', '/v1/licenses/validate', { key: keyed.key, domain: 'site1.example.org' })).json.code).toBe('NOT_FOUND');
    const bob = await server.admin('POST', '/v1/admin/privacy/subjects/search', { kind: 'email', value: 'bob@example.com' });
    expect(bob.json.licenses).toHaveLength(1);

    // The exporter now has nothing, and a second erasure removes nothing.
    expect((await php<{ pages: ExportPage[] }>(EXPORT_ALL, { email })).pages).toEqual([{ data: [], done: true }]);
    const again = await php<{ result: { items_removed: boolean; messages: string[] } }>(`
$erasers = apply_filters( 'wp_privacy_personal_data_erasers', array() );
echo "\\n@@" . wp_json_encode( array( 'result' => call_user_func( $erasers['batchkeys']['callback'], $args['email'], 1 ) ) );
`, { email });
    expect(again.result.items_removed).toBe(false);
    expect(again.result.messages.join('\n')).not.toContain('stops working');
  });
});

interface CommentRow { ip: string; agent: string }
const insertComment = (daysAgo: number, ip: string, agent: string) => php<{ id: number }>(`
$gmt = gmdate( 'Y-m-d H:i:s', time() - (int) $args['days'] * DAY_IN_SECONDS );
$id  = wp_insert_comment( array(
	'comment_post_ID' => 1, 'comment_author' => 'Visitor', 'comment_author_email' => 'visitor@example.com',
	'comment_content' => 'Comment ' . wp_rand(), 'comment_date_gmt' => $gmt, 'comment_date' => get_date_from_gmt( $gmt ),
	'comment_author_IP' => $args['ip'], 'comment_agent' => $args['agent'], 'comment_approved' => 1,
) );
echo "\\n@@" . wp_json_encode( array( 'id' => $id ) );
`, { days: daysAgo, ip, agent });
const commentRow = async (id: number) => php<CommentRow>(`
global $wpdb;
$row = $wpdb->get_row( $wpdb->prepare( "SELECT comment_author_IP AS ip, comment_agent AS agent FROM {$wpdb->comments} WHERE comment_ID = %d", $args['id'] ), ARRAY_A );
echo "\\n@@" . wp_json_encode( $row );
`, { id });

describe('commenter IP addresses and user agents', () => {
  const UA = 'Mozilla/5.0 (X11; Linux x86_64) BatchKeysTest/1.0';

  it('keeps everything by default and schedules nothing', async () => {
    const r = await rest('GET', '/privacy/comments');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ retentionDays: 0, storeIp: true, storeUserAgent: true, lastRun: null, anonymisedTotal: 0 });
    const old = await insertComment(400, '203.0.113.45', UA);
    const run = await rest('POST', '/privacy/comments/run');
    expect(run.json.anonymised).toBe(0);
    expect(await commentRow(old.id)).toEqual({ ip: '203.0.113.45', agent: UA });
    const next = await php<{ next: number | false }>(`echo "\\n@@" . wp_json_encode( array( 'next' => wp_next_scheduled( 'batchkeys_comment_retention' ) ) );`);
    expect(next.next).toBe(false);
  });

  it('anonymises IPs and clears user agents of comments older than the retention, leaving newer ones', async () => {
    const oldV4 = await insertComment(45, '198.51.100.77', UA);
    const oldV6 = await insertComment(31, '2001:db8:85a3:8d3:1319:8a2e:370:7348', UA);
    const oldNoAgent = await insertComment(60, '192.0.2.9', '');
    const recent = await insertComment(29, '198.51.100.78', UA);
    const today = await insertComment(0, '198.51.100.79', UA);

    const saved = await rest('POST', '/privacy/comments', { retentionDays: 30 });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ retentionDays: 30, storeIp: true, storeUserAgent: true });
    const next = await php<{ next: number | false }>(`echo "\\n@@" . wp_json_encode( array( 'next' => wp_next_scheduled( 'batchkeys_comment_retention' ) ) );`);
    expect(typeof next.next).toBe('number');

    const run = await rest('POST', '/privacy/comments/run');
    expect(run.status).toBe(200);
    // The 400-day-old comment of the previous test is old too.
    expect(run.json.anonymised).toBe(4);
    expect(await commentRow(oldV4.id)).toEqual({ ip: '198.51.100.0', agent: '' });
    expect(await commentRow(oldV6.id)).toEqual({ ip: '2001:db8:85a3:8d3::', agent: '' });
    expect(await commentRow(oldNoAgent.id)).toEqual({ ip: '192.0.2.0', agent: '' });
    expect(await commentRow(recent.id)).toEqual({ ip: '198.51.100.78', agent: UA });
    expect(await commentRow(today.id)).toEqual({ ip: '198.51.100.79', agent: UA });

    // Nothing left to do: a second pass changes nothing; the totals are recorded.
    expect((await rest('POST', '/privacy/comments/run')).json.anonymised).toBe(0);
    const state = await rest('GET', '/privacy/comments');
    expect(state.json.anonymisedTotal).toBe(4);
    expect(state.json.lastCount).toBe(0);
    expect(Date.parse(state.json.lastRun)).toBeGreaterThan(Date.now() - 120_000);
  });

  it('runs the same pass from the WP-Cron event, in batches over many comments', async () => {
    const ids = await php<{ first: number; last: number }>(`
$gmt = gmdate( 'Y-m-d H:i:s', time() - 90 * DAY_IN_SECONDS );
$first = 0; $last = 0;
for ( $i = 0; $i < 450; $i++ ) {
	$last = wp_insert_comment( array( 'comment_post_ID' => 1, 'comment_author' => 'Bulk', 'comment_content' => "Bulk $i", 'comment_date_gmt' => $gmt,
		'comment_date' => get_date_from_gmt( $gmt ), 'comment_author_IP' => '10.20.' . intdiv( $i, 250 ) . '.' . ( 1 + $i % 250 ), 'comment_agent' => 'Bulk agent', 'comment_approved' => 1 ) );
	$first = $first ?: $last;
}
echo "\\n@@" . wp_json_encode( array( 'first' => $first, 'last' => $last ) );
`);
    const out = await php<{ left: number; sample: CommentRow; total: number }>(`
do_action( 'batchkeys_comment_retention' );
global $wpdb;
$left = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->comments} WHERE comment_ID BETWEEN %d AND %d AND ( comment_agent <> '' OR comment_author_IP NOT LIKE %s )", $args['first'], $args['last'], '%.0' ) );
$sample = $wpdb->get_row( $wpdb->prepare( "SELECT comment_author_IP AS ip, comment_agent AS agent FROM {$wpdb->comments} WHERE comment_ID = %d", $args['last'] ), ARRAY_A );
echo "\\n@@" . wp_json_encode( array( 'left' => $left, 'sample' => $sample, 'total' => BatchKeys\\Privacy\\Comment_Privacy::state()['anonymised_total'] ) );
`, ids);
    expect(out.left).toBe(0);
    expect(out.sample).toEqual({ ip: '10.20.1.0', agent: '' });
    expect(out.total).toBe(454);
  });

  it('stores new comments without the IP address and user agent when told to', async () => {
    const post = (email: string, text: string) => fetch(`${wp.url}/wp-comments-post.php`, {
      method: 'POST', redirect: 'manual', headers: { 'user-agent': UA, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ comment_post_ID: '1', author: 'Carol', email, comment: text, submit: 'Post Comment' }),
      signal: AbortSignal.timeout(60_000),
    });
    const stored = (text: string) => php<CommentRow>(`
global $wpdb;
echo "\\n@@" . wp_json_encode( $wpdb->get_row( $wpdb->prepare( "SELECT comment_author_IP AS ip, comment_agent AS agent FROM {$wpdb->comments} WHERE comment_content = %s", $args['t'] ), ARRAY_A ) );
`, { t: text });

    const off = await rest('POST', '/privacy/comments', { storeIp: false, storeUserAgent: false });
    expect(off.json).toMatchObject({ retentionDays: 30, storeIp: false, storeUserAgent: false });
    expect((await post('carol1@example.com', 'Without my data, please.')).status).toBe(302);
    expect(await stored('Without my data, please.')).toEqual({ ip: '', agent: '' });

    const on = await rest('POST', '/privacy/comments', { storeIp: true, storeUserAgent: true });
    expect(on.json).toMatchObject({ storeIp: true, storeUserAgent: true });
    expect((await post('carol2@example.com', 'With my data this time.')).status).toBe(302);
    expect(await stored('With my data this time.')).toEqual({ ip: '127.0.0.1', agent: UA });
    // Out of the flood window (15 seconds) for the next comment from the same address.
    await wp.php(`global $wpdb; $wpdb->query( "UPDATE {$wpdb->comments} SET comment_date_gmt = '2020-01-01 00:00:00' WHERE comment_author_IP = '127.0.0.1'" );`);

    // Only the user agent off.
    await rest('POST', '/privacy/comments', { storeUserAgent: false });
    expect((await post('carol3@example.com', 'Keep my address only.')).status).toBe(302);
    expect(await stored('Keep my address only.')).toEqual({ ip: '127.0.0.1', agent: '' });
    await rest('POST', '/privacy/comments', { storeUserAgent: true });
  });

  it('refuses a retention outside 0 to 3650 days', async () => {
    const r = await rest('POST', '/privacy/comments', { retentionDays: 5000 });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('rest_invalid_param');
    expect((await rest('POST', '/privacy/comments', { retentionDays: -1 })).status).toBe(400);
    expect((await rest('GET', '/privacy/comments')).json.retentionDays).toBe(30);
  });

  it('leaves commenter export and erasure to core, which covers the IP address and user agent', async () => {
    const r = await php<{ exported: string[]; after: CommentRow }>(`
$id = wp_insert_comment( array( 'comment_post_ID' => 1, 'comment_author' => 'Dave', 'comment_author_email' => 'dave@example.com', 'comment_content' => 'Hi',
	'comment_author_IP' => '203.0.113.99', 'comment_agent' => 'Dave agent', 'comment_approved' => 1 ) );
$exporters = apply_filters( 'wp_privacy_personal_data_exporters', array() );
$page = call_user_func( $exporters['wordpress-comments']['callback'], 'dave@example.com', 1 );
$names = array();
foreach ( $page['data'] as $item ) { foreach ( $item['data'] as $d ) { $names[] = $d['name'] . '=' . $d['value']; } }
$erasers = apply_filters( 'wp_privacy_personal_data_erasers', array() );
call_user_func( $erasers['wordpress-comments']['callback'], 'dave@example.com', 1 );
global $wpdb;
$after = $wpdb->get_row( $wpdb->prepare( "SELECT comment_author_IP AS ip, comment_agent AS agent FROM {$wpdb->comments} WHERE comment_ID = %d", $id ), ARRAY_A );
$meta = get_comment_meta( $id );
echo "\\n@@" . wp_json_encode( array( 'exported' => $names, 'after' => $after, 'meta' => $meta ) );
`);
    expect(r.exported).toContain('Comment Author IP=203.0.113.99');
    expect(r.exported).toContain('Comment Author User Agent=Dave agent');
    expect(r.after).toEqual({ ip: '203.0.113.0', agent: '' });
  });
});

describe('suggested privacy-policy text', () => {
  let cookies: string;
  beforeAll(async () => { cookies = await adminCookies(); });

  const guide = async () => {
    const res = await fetch(`${wp.url}/wp-admin/privacy-policy-guide.php`, { headers: { cookie: cookies }, signal: AbortSignal.timeout(60_000) });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('appears on the Privacy Policy Guide with the plugin part and the server\'s sections', async () => {
    const html = await guide();
    const at = html.indexOf('privacy-settings-accordion-trigger');
    expect(at).toBeGreaterThan(0);
    expect(html).toContain('>BatchKeys<');
    expect(html).toContain('30 days after a comment is posted, the IP address stored with it is anonymised');
    expect(html).toContain('The BatchKeys plugin sets no cookies');
    expect(html).toContain(`licensing server (${new URL(server.url).hostname})`);
    // The server's own generator: title and a section about retention.
    expect(html).toContain('How your data is processed for licensing');
    expect(html).not.toContain('could not be reached');
    const registered = await php<{ stored: { fetched_at: number; sections: unknown[] } }>(`
echo "\\n@@" . wp_json_encode( array( 'stored' => get_option( 'batchkeys_server_policy' ) ) );
`);
    expect(registered.stored.sections.length).toBeGreaterThan(3);
  });

  it('changes when the retention changes, and says when comment data is kept', async () => {
    expect((await rest('POST', '/privacy/comments', { retentionDays: 7 })).status).toBe(200);
    let html = await guide();
    expect(html).toContain('7 days after a comment is posted');
    expect(html).not.toContain('30 days after a comment is posted');
    expect((await rest('POST', '/privacy/comments', { retentionDays: 0 })).status).toBe(200);
    html = await guide();
    expect(html).toContain('They are kept for as long as the comment is kept.');
    expect(html).not.toContain('days after a comment is posted');
    expect((await rest('POST', '/privacy/comments', { retentionDays: 30, storeIp: false })).status).toBe(200);
    html = await guide();
    expect(html).toContain('We do not store your IP address with a comment');
    expect((await rest('POST', '/privacy/comments', { storeIp: true })).status).toBe(200);
  });

  it('is still correct about the plugin when the server cannot be reached', async () => {
    const r = await php<{ ok: boolean; html: string }>(`
add_filter( 'batchkeys_server_url', fn() => 'http://127.0.0.1:1' );
$ok = BatchKeys\\Privacy\\Policy_Text::refresh();
echo "\\n@@" . wp_json_encode( array( 'ok' => $ok, 'html' => BatchKeys\\Privacy\\Policy_Text::html() ) );
`);
    expect(r.ok).toBe(false);
    expect(r.html).toContain('30 days after a comment is posted');
    expect(r.html).toContain('The BatchKeys plugin sets no cookies');
    expect(r.html).toContain('The licensing server at http://127.0.0.1:1 could not be reached');
    expect(r.html).not.toContain('How your data is processed for licensing');
    // Back on the real server, the next admin page fetches its part again.
    const html = await guide();
    expect(html).toContain('How your data is processed for licensing');
  });
});

describe('Privacy screen REST routes', () => {
  it('refuses a subscriber (403) and an anonymous visitor (401) on every route', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/privacy/overview'], ['GET', '/privacy/comments'], ['POST', '/privacy/comments', { retentionDays: 1 }],
      ['POST', '/privacy/comments/run'], ['GET', '/privacy/requests'],
      ['POST', '/privacy/requests', { kind: 'access', subject: { kind: 'email', value: 'x@example.com' } }],
      ['POST', '/privacy/requests/dsr_x/complete', {}], ['POST', '/privacy/breach-reports', { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }],
      ['POST', '/privacy/api-access', { suspend: true }],
    ];
    for (const [method, path, body] of routes) {
      const sub = await rest(method, path, body, subscriberAuth);
      expect(sub.status, `${method} ${path}`).toBe(403);
      expect(sub.json.code).toBe('rest_forbidden');
      expect((await rest(method, path, body, null)).status, `${method} ${path}`).toBe(401);
    }
    expect((await rest('GET', '/privacy/comments')).json.retentionDays).toBe(30);
  });

  it('declares permission_callback and sanitising args on every privacy route', async () => {
    const out = await php<{ routes: string[]; bad: string[] }>(`
do_action( 'rest_api_init' );
$bad = array(); $routes = array();
foreach ( rest_get_server()->get_routes( 'batchkeys/v1' ) as $route => $endpoints ) {
	if ( ! str_starts_with( $route, '/batchkeys/v1/privacy' ) ) { continue; }
	$routes[] = $route;
	foreach ( $endpoints as $e ) {
		if ( empty( $e['permission_callback'] ) || ! isset( $e['args'] ) ) { $bad[] = $route; }
		foreach ( $e['args'] as $name => $arg ) {
			if ( empty( $arg['sanitize_callback'] ) || empty( $arg['validate_callback'] ) ) { $bad[] = "$route $name"; }
		}
	}
}
echo "\\n@@" . wp_json_encode( array( 'routes' => $routes, 'bad' => $bad ) );
`);
    expect(out.routes).toHaveLength(7);
    expect(out.bad).toEqual([]);
  });

  it('answers the inventory: server facts, comment settings, the policy guide and the account', async () => {
    const r = await rest('GET', '/privacy/overview');
    expect(r.status).toBe(200);
    expect(r.json.inventory.retention).toHaveProperty('requestLogDays');
    expect(r.json.inventory.requestLog.enabled).toBe(true);
    expect(Array.isArray(r.json.inventory.subprocessors)).toBe(true);
    expect(r.json.inventory.comments).toMatchObject({ retentionDays: 30, storeIp: true, storeUserAgent: true, anonymisedTotal: 454 });
    expect(r.json.policyUrl).toBe(`${wp.url}/wp-admin/options-privacy.php?tab=policyguide`);
    const account = await server.admin('GET', '/v1/admin/account');
    expect(r.json.account).toEqual({ id: account.json.account.id, name: account.json.account.name, operator: true, apiSuspendedAt: null });
  });

  it('records, lists and completes data-subject requests through the server', async () => {
    const created = await rest('POST', '/privacy/requests', {
      kind: 'export', subject: { kind: 'email', value: 'erin@example.com' }, receivedAt: '2026-01-02', instruction: 'Send the export by post.',
    });
    expect(created.status).toBe(201);
    expect(created.json.request).toMatchObject({ kind: 'export', subjectKind: 'email', status: 'open', receivedAt: '2026-01-02T00:00:00.000Z', instruction: 'Send the export by post.' });
    expect(created.json.request.dueAt).toBe('2026-02-01T00:00:00.000Z');
    const overdue = await rest('GET', '/privacy/requests?overdue=true');
    expect(overdue.status).toBe(200);
    expect(overdue.json.items.map((q: { id: string }) => q.id)).toContain(created.json.request.id);
    const done = await rest('POST', `/privacy/requests/${created.json.request.id}/complete`, { artefact: { sentBy: 'post' } });
    expect(done.status).toBe(200);
    expect(done.json.request).toMatchObject({ status: 'completed', artefact: { sentBy: 'post' } });
    const open = await rest('GET', '/privacy/requests?status=open');
    expect(open.json.items.map((q: { id: string }) => q.id)).not.toContain(created.json.request.id);
    // Server refusals come back as WP_Error with the server's code and status.
    const bad = await rest('POST', `/privacy/requests/${created.json.request.id}/complete`, {});
    expect(bad.status).toBe(409);
    expect(bad.json.code).toBe('CONFLICT');
    const invalid = await rest('POST', '/privacy/requests', { kind: 'export', subject: { kind: 'phone', value: '1' } });
    expect(invalid.status).toBe(400);
  });

  it('creates a breach report through the server', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const r = await rest('POST', '/privacy/breach-reports', { from, to });
    expect(r.status).toBe(200);
    expect(r.json).toHaveProperty('notifyBy');
    expect(r.json.admin.entries).toBeGreaterThan(0);
    const wrong = await rest('POST', '/privacy/breach-reports', { from: to, to: from });
    expect(wrong.status).toBe(400);
  });

  it('shuts down the connected account\'s API access, after which the server refuses the plugin', async () => {
    const r = await rest('POST', '/privacy/api-access', { suspend: true });
    expect(r.status).toBe(200);
    expect(r.json.account.apiSuspendedAt).toMatch(/^\d{4}-/);
    const after = await rest('GET', '/privacy/overview');
    expect(after.json.account).toBeNull();
    expect(after.json.accountError.code).toBe('API_SUSPENDED');
    const reinstate = await rest('POST', '/privacy/api-access', { suspend: false });
    expect(reinstate.status).toBe(403);
    expect(reinstate.json.code).toBe('API_SUSPENDED');
    // The operator reinstates it on the server (the CLI's `batchkeys account reinstate-api`).
    await server.running.core.store.setAccountApiSuspended(r.json.account.id as string, null);
    expect((await rest('GET', '/privacy/overview')).json.account.apiSuspendedAt).toBeNull();
  });
});

describe('deactivation and uninstall', () => {
  it('removes the cron events on deactivation and the privacy options on uninstall', async () => {
    const out = await php<{ before: unknown[]; afterDeactivate: unknown[]; options: unknown[] }>(`
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$hooks = array( 'batchkeys_comment_retention', 'batchkeys_refresh_policy' );
$opts  = array( 'batchkeys_comment_privacy', 'batchkeys_comment_retention', 'batchkeys_server_policy' );
$at    = fn() => array_map( fn( $h ) => wp_next_scheduled( $h ), $hooks );
$before = $at();
deactivate_plugins( 'batchkeys/batchkeys.php' );
$after = $at();
uninstall_plugin( 'batchkeys/batchkeys.php' );
echo "\\n@@" . wp_json_encode( array( 'before' => $before, 'afterDeactivate' => $after, 'options' => array_map( fn( $o ) => get_option( $o, null ), $opts ) ) );
`);
    expect(out.before.every((t) => typeof t === 'number')).toBe(true);
    expect(out.afterDeactivate).toEqual([false, false]);
    expect(out.options).toEqual([null, null, null]);
  });
});
