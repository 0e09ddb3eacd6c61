import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { negotiatePolicyFormat, policyFacts, renderPolicy, type PolicyFacts } from '../../server/privacy/policy.js';

const NOW = new Date('2026-11-27T10:00:00Z');
const config = (env: Record<string, string> = {}) => loadConfig({ BATCHKEYS_DATA_DIR: '/tmp/batchkeys-policy-test', ...env });
const facts = (env: Record<string, string> = {}) => policyFacts(config(env), NOW);
const md = (f: PolicyFacts) => renderPolicy(f, 'md').body;
const html = (f: PolicyFacts) => renderPolicy(f, 'html').body;
interface JsonPolicy { title: string; sections: Array<{ id: string; title: string; paragraphs: string[]; items: string[] }>; facts: PolicyFacts }
const json = (f: PolicyFacts) => JSON.parse(renderPolicy(f, 'json').body) as JsonPolicy;
const plain = (f: PolicyFacts) => json(f).sections.flatMap((s) => [s.title, ...s.paragraphs, ...s.items]).join('\n');

/** Services BatchKeys does not run by itself: named only when a subprocessor entry names them. */
const UNCONFIGURED_SERVICES = /stripe|smtp|webhook|mailgun|sendgrid|newsletter|analytics|cookie banner|google/i;

describe('privacy policy: the defaults', () => {
  const f = facts();
  const text = plain(f);

  it('describes the request log, IP anonymisation and both rate limits as configured', () => {
    expect(f.requestLog.enabled).toBe(true);
    expect(text).toContain('recorded in a request log');
    expect(text).toContain('The license key itself is never recorded');
    expect(text).toContain('After 14 days, client IP addresses in the request log are anonymised');
    expect(text).toMatch(/first 24 bits.*first 64 bits/s);
    expect(text).toContain('at most 1200 requests per client IP address and 1200 requests per license key in any 60 seconds');
    expect(text).toContain("in the server's memory for 2 minutes");
    expect(json(f).sections.map((s) => s.id)).toContain('rate-limiting');
  });

  it('states every retention period and the automatic purge', () => {
    expect(text).toContain('Request log entries: deleted after 90 days');
    expect(text).toContain('Audit log entries: deleted after 730 days');
    expect(text).toContain('Deactivated activations (sites and devices): deleted 90 days after deactivation');
    expect(text).toContain('Expired licenses: deleted, with their activations and token history, 730 days after they expired');
    expect(text).toContain('IP addresses in the audit log: removed after 14 days');
    expect(text).toContain('IP addresses are removed from audit log entries after 14 days.');
    expect(text).toContain('the clean-up runs every 60 minutes');
  });

  it('claims no subprocessor, service or contact that is not configured', () => {
    expect(text).toContain('No subprocessors are configured for this license server.');
    expect(text).not.toMatch(UNCONFIGURED_SERVICES);
    expect(text).not.toContain('log collector');
    expect(text).not.toContain('Privacy contact:');
    expect(text).not.toContain('Data protection officer');
    expect(text).toContain('contact the controller at the address given elsewhere in this privacy policy');
    expect(f.warnings.join(' ')).toMatch(/BATCHKEYS_PRIVACY_CONTACT/);
  });

  it('says how keys are kept and that the public API returns no personal data', () => {
    expect(text).toContain('HMAC-SHA256');
    expect(text).toContain('AES-256-GCM');
    expect(text).toContain('The public license API never returns personal data');
  });

  it('covers rights, breach notification within 72 hours and the 30-day answer', () => {
    const ids = json(f).sections.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['controller', 'customers', 'sites', 'requests', 'retention', 'rights', 'subprocessors', 'breach']));
    expect(new Set(ids).size).toBe(ids.length);
    for (const right of ['access:', 'data portability:', 'rectification:', 'erasure:', 'restriction and objection:']) expect(text).toContain(right);
    expect(text).toContain('within 72 hours');
    expect(text).toContain('without undue delay');
    expect(text).toContain('within one month (30 days)');
  });
});

describe('privacy policy: request log and rate limiting off, custom retention, named subprocessors', () => {
  const env = {
    BATCHKEYS_REQUEST_LOG: 'off', BATCHKEYS_RATE_LIMIT: '0',
    BATCHKEYS_RETENTION_REQUEST_LOG_DAYS: '30', BATCHKEYS_RETENTION_IP_DAYS: '0', BATCHKEYS_RETENTION_AUDIT_DAYS: '365',
    BATCHKEYS_RETENTION_DEACTIVATED_DAYS: '0', BATCHKEYS_RETENTION_EXPIRED_LICENSE_DAYS: '0', BATCHKEYS_PURGE_INTERVAL_MINUTES: '0',
    BATCHKEYS_CONTROLLER_NAME: 'Gallery Plugins GmbH', BATCHKEYS_PRIVACY_CONTACT: 'privacy@gallery.example',
    BATCHKEYS_DPO_CONTACT: 'dpo@gallery.example', BATCHKEYS_SUPERVISORY_AUTHORITY: 'BfDI, Bonn',
    BATCHKEYS_SUBPROCESSORS: JSON.stringify([
      { name: 'Stripe Payments Europe', purpose: 'payment processing', location: 'Ireland' },
      { name: 'Postmark', purpose: 'sending license emails', location: 'USA (SCCs)' },
    ]),
  };
  const f = facts(env);
  const text = plain(f);

  it('says that no per-request log is kept, and nothing about rate limits', () => {
    expect(f.requestLog).toEqual({ enabled: false, fields: [] });
    expect(f.rateLimiting).toBeNull();
    expect(text).toContain('No per-request log is kept');
    expect(text).not.toContain('recorded in a request log');
    expect(text).not.toContain('Request log entries');
    expect(text).not.toContain('anonymised');
    expect(text).not.toMatch(/rate.limit|requests per|per client IP/i);
    expect(json(f).sections.map((s) => s.id)).not.toContain('rate-limiting');
  });

  it('gives "kept until" for periods of 0 and says the purge is not automatic', () => {
    expect(text).toContain('Audit log entries: deleted after 365 days');
    expect(text).toContain('Deactivated activations (sites and devices): kept with their license');
    expect(text).toContain('Expired licenses: kept until the controller deletes them or you ask for erasure');
    expect(text).toContain('it is not scheduled automatically');
    expect(text).toContain('IP addresses in the audit log are kept for as long as the entry.');
    expect(text).not.toContain('clean-up runs every');
  });

  it('names the controller, the contacts, the authority and exactly the configured subprocessors', () => {
    expect(text).toContain('Gallery Plugins GmbH is the controller');
    expect(text).toContain('Privacy contact: privacy@gallery.example');
    expect(text).toContain('Data protection officer: dpo@gallery.example');
    expect(text).toContain('To use any of these rights, write to privacy@gallery.example.');
    expect(text).toContain('supervisory authority: BfDI, Bonn');
    expect(text).toContain('Gallery Plugins GmbH notifies BfDI, Bonn within 72 hours');
    expect(text).toContain('Stripe Payments Europe: payment processing (Ireland)');
    expect(text).toContain('Postmark: sending license emails (USA (SCCs))');
    expect(text).not.toContain('No subprocessors');
    expect(text).not.toContain('log collector');
    expect(f.warnings).toEqual([expect.stringMatching(/not scheduled|Automatic purging is off/)]);
  });
});

describe('privacy policy: log collector, per-key limit only, PostgreSQL, development hosts', () => {
  const env = {
    BATCHKEYS_STORE: 'postgres', BATCHKEYS_DATABASE_URL: 'postgres://bk:pw@127.0.0.1/bk',
    BATCHKEYS_RATE_LIMIT: '0', BATCHKEYS_KEY_RATE_LIMIT: '500',
    BATCHKEYS_RETENTION_REQUEST_LOG_DAYS: '7', BATCHKEYS_RETENTION_IP_DAYS: '14',
    BATCHKEYS_LOG_COLLECTOR_URL: 'https://ingest:s3cr3t-pass@logs.example.net:8443/v1/ingest?token=abc123',
    BATCHKEYS_DEV_HOSTS: '*.wpengine.com,*.kinsta.cloud',
  };
  const f = facts(env);
  const text = plain(f);

  it('names the log collector by host only, never its credentials or path', () => {
    expect(f.logCollector).toEqual({ host: 'logs.example.net:8443' });
    expect(text).toContain('log collector at logs.example.net:8443: receives');
    expect(text).toContain('sent to the log collector at logs.example.net:8443');
    for (const out of [md(f), html(f), renderPolicy(f, 'json').body]) {
      expect(out).not.toContain('s3cr3t');
      expect(out).not.toContain('abc123');
      expect(out).not.toContain('/v1/ingest');
    }
    expect(f.warnings.join(' ')).toContain('logs.example.net:8443');
  });

  it('does not add the collector twice when a subprocessor entry describes it', () => {
    const g = facts({ ...env, BATCHKEYS_SUBPROCESSORS: JSON.stringify([{ name: 'Logs Inc', purpose: 'log storage at logs.example.net', location: 'EU' }]) });
    const t = plain(g);
    expect(t).toContain('Logs Inc: log storage at logs.example.net (EU)');
    expect(t).not.toContain('log collector at logs.example.net:8443: receives');
  });

  it('describes only the per-key limit, counted in the shared database', () => {
    expect(text).toContain('at most 500 requests per license key in any 60 seconds');
    expect(text).toContain('counted by a digest of the license key');
    expect(text).toContain('in the database that the license servers share');
    expect(text).not.toContain('per client IP address');
  });

  it('deletes IP addresses with the row when the request log is shorter than the IP period', () => {
    expect(text).toContain('Request log entries, with their client IP addresses, are deleted after 7 days.');
    expect(text).not.toContain('anonymised after');
  });

  it('lists the configured development-host patterns', () => {
    expect(text).toContain('as well as *.wpengine.com and *.kinsta.cloud');
  });
});

describe('privacy policy: the text follows the configuration', () => {
  it('changes when one retention period changes, and only there', () => {
    const a = json(facts()).sections;
    const b = json(facts({ BATCHKEYS_RETENTION_AUDIT_DAYS: '400' })).sections;
    const changed = a.filter((s, i) => JSON.stringify(s) !== JSON.stringify(b[i])).map((s) => s.id);
    expect(changed).toEqual(['retention']);
    expect(b.find((s) => s.id === 'retention')!.items).toContain('Audit log entries: deleted after 400 days');
  });

  it('keeps IP addresses in full when their period is 0', () => {
    expect(plain(facts({ BATCHKEYS_RETENTION_IP_DAYS: '0' }))).toContain('kept in full for as long as the request log entry is kept');
  });

  it('is the same text in every format', () => {
    const f = facts({ BATCHKEYS_CONTROLLER_NAME: 'Acme' });
    const j = json(f);
    expect(j.facts).toEqual(JSON.parse(JSON.stringify(f)));
    for (const s of j.sections) {
      expect(md(f)).toContain(`### ${s.title}`);
      expect(html(f)).toContain(`<h3>${s.title}</h3>`);
    }
  });
});

describe('privacy policy: rendering', () => {
  const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)> [click](javascript:alert(1)) *Evil* `co`';
  const f = facts({
    BATCHKEYS_CONTROLLER_NAME: hostile, BATCHKEYS_PRIVACY_CONTACT: '"><b>mail</b>',
    BATCHKEYS_SUBPROCESSORS: JSON.stringify([{ name: '# Heading', purpose: '<iframe>', location: "O'Brien & Co" }]),
  });

  it('HTML-escapes every configured value', () => {
    const body = html(f);
    expect(body).not.toMatch(/<script|<img|<iframe|<b>/i);
    expect(body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('&quot;&gt;&lt;b&gt;mail&lt;/b&gt;');
    expect(body).toContain('O&#39;Brien &amp; Co');
    // Every element opened is closed.
    for (const tag of ['section', 'p', 'ul', 'li', 'h2', 'h3']) {
      expect((body.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length).toBe((body.match(new RegExp(`</${tag}>`, 'g')) ?? []).length);
    }
  });

  it('keeps configured values from becoming Markdown or HTML markup', () => {
    const body = md(f);
    expect(body).not.toMatch(/<script|<img|<iframe|<b>/i);
    expect(body).toContain('\\[click\\](javascript:alert(1)) \\*Evil\\* \\`co\\`');
    expect(body).toContain('- \\# Heading: &lt;iframe&gt;');
    expect(body).not.toMatch(/^#+ # Heading/m);
  });

  it('keeps raw values in JSON, which is data', () => {
    expect(json(f).facts.controller.name).toBe(hostile);
  });

  it('answers the documented content types', () => {
    expect(renderPolicy(f, 'md').contentType).toBe('text/markdown; charset=utf-8');
    expect(renderPolicy(f, 'html').contentType).toBe('text/html; charset=utf-8');
    expect(renderPolicy(f, 'json').contentType).toBe('application/json; charset=utf-8');
  });
});

describe('negotiatePolicyFormat', () => {
  it.each([
    [undefined, undefined, 'md'],
    ['', undefined, 'md'],
    ['*/*', undefined, 'md'],
    ['text/markdown', undefined, 'md'],
    ['text/html', undefined, 'html'],
    ['application/json', undefined, 'json'],
    ['text/plain', undefined, 'md'],
    ['image/png, text/csv', undefined, 'md'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', undefined, 'html'],
    ['application/json, */*', undefined, 'json'],
    ['*/*, application/json', undefined, 'json'],
    ['text/*', undefined, 'md'],
    ['text/*, text/markdown;q=0', undefined, 'html'],
    ['application/json;q=0.5, text/html;q=0.9', undefined, 'html'],
    ['text/html;q=0.2, application/json;q=0.8', undefined, 'json'],
    ['text/markdown;q=0, text/html;q=0, application/json;q=0', undefined, 'md'],
    ['*/*;q=0.1, application/json;q=0.1', undefined, 'json'],
    ['TEXT/HTML', undefined, 'html'],
    ['text/html; charset=utf-8; q=0.7, application/json; q=0.6', undefined, 'html'],
    ['garbage;;;, ,/', undefined, 'md'],
    ['text/html', 'json', 'json'],
    ['application/json', 'md', 'md'],
    [undefined, 'html', 'html'],
    [undefined, 'MARKDOWN', 'md'],
    [undefined, ' Json ', 'json'],
    ['text/html', 'pdf', 'html'],
    ['text/html', '', 'html'],
    [undefined, 'xml', 'md'],
  ] as const)('Accept %j, format %j: %s', (accept, format, expected) => {
    expect(negotiatePolicyFormat(accept, format)).toBe(expected);
  });
});
