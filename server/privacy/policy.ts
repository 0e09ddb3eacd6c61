import type { Config, Subprocessor } from '../config.js';
import { RATE_WINDOW_MS, COUNTER_DURATION_S } from '../http/ratelimit.js';
import { NOTIFICATION_HOURS } from './breach.js';
import { SUBJECT_REQUEST_DAYS } from './subjects.js';
import { describesHost, policySections, type PolicySection } from './policy-text.js';

/**
 * The privacy-policy generator: what this installation does with personal data, read from its
 * live configuration, as the data-processing sections of the privacy policy its user (the
 * vendor, the data controller) publishes. Every sentence depends only on these facts, so a
 * change of configuration changes the text and nothing is said about a feature that is off.
 */

/** Retention in days; null: kept until erased or deleted by the controller. */
type Days = number | null;

export interface PolicyFacts {
  generatedAt: string;
  controller: {
    name: string | null;
    contact: string | null;
    dpoContact: string | null;
    supervisoryAuthority: string | null;
  };
  /** Where the data lives: the embedded SQLite file, the JSON file, or PostgreSQL. */
  storage: 'sqlite' | 'json' | 'postgres';
  /** Extra development-host patterns (beyond the built-in ones) whose activations use no seat. */
  devHostPatterns: string[];
  requestLog: {
    enabled: boolean;
    /** What a request-log row holds (never the key). */
    fields: string[];
  };
  /**
   * Client IP addresses: anonymised in the request log after `afterDays` (null: never); the same
   * period removes them from audit entries (the hash chain commits to a salted digest instead).
   */
  ipAnonymisation: { afterDays: Days; ipv4PrefixBits: 24; ipv6PrefixBits: 64; appliesTo: string[] };
  /** Null when both limits are off. */
  rateLimiting: {
    perIp: number | null;
    perKey: number | null;
    windowSeconds: number;
    /** How long a counter (by IP address or key digest) lives. */
    counterSeconds: number;
    /** PostgreSQL keeps the counters in the database, so that servers share them. */
    countersInDatabase: boolean;
  } | null;
  retention: {
    requestLogDays: Days;
    ipDays: Days;
    auditDays: Days;
    deactivatedActivationDays: Days;
    expiredLicenseDays: Days;
  };
  purge: { automatic: boolean; intervalMinutes: number | null };
  subprocessors: Subprocessor[];
  /** The log collector's host, when logs are shipped (never the full URL: it may hold credentials). */
  logCollector: { host: string } | null;
  /** Data-subject requests are due this many days after receipt. */
  subjectRequestDays: number;
  /** The controller notifies its supervisory authority within this many hours of awareness. */
  breachNotificationHours: number;
  /** Settings the operator should fill in; shown in the JSON form only. */
  warnings: string[];
}

export const REQUEST_LOG_FIELDS = [
  'time', 'client IP address', 'account', 'license', 'action (validate, activate, deactivate or consume)',
  'outcome code and HTTP status', 'domain or device given', 'tokens consumed', 'response time',
];

/** Where ipDays applies: the retention purge anonymises the IP addresses of request-log rows. */
const IP_ANONYMISED_IN = ['request log'];

const days = (n: number): Days => (n > 0 ? n : null);

function collectorHost(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

export function policyFacts(config: Config, now: Date = new Date()): PolicyFacts {
  const p = config.privacy;
  const host = collectorHost(config.logCollectorUrl);
  const perIp = config.rateLimit > 0 ? config.rateLimit : null;
  const perKey = config.keyRateLimit > 0 ? config.keyRateLimit : null;
  const warnings: string[] = [];
  if (!p.controllerName) warnings.push('BATCHKEYS_CONTROLLER_NAME is not set: the policy cannot name the controller.');
  if (!p.contact) warnings.push('BATCHKEYS_PRIVACY_CONTACT is not set: the policy gives no address for privacy requests.');
  if (!p.supervisoryAuthority) warnings.push('BATCHKEYS_SUPERVISORY_AUTHORITY is not set: the policy cannot name it.');
  if (host && !p.subprocessors.some((s) => describesHost(s, host))) {
    warnings.push(`Logs are shipped to ${host}: describe that service (purpose, location) in BATCHKEYS_SUBPROCESSORS.`);
  }
  if (p.retention.requestLogDays === 0 && p.requestLog) warnings.push('The request log is kept until erased (BATCHKEYS_RETENTION_REQUEST_LOG_DAYS=0).');
  if (p.purgeIntervalMinutes === 0) warnings.push('Automatic purging is off: retention periods apply only when `batchkeys privacy purge` runs.');
  return {
    generatedAt: now.toISOString(),
    controller: {
      name: p.controllerName ?? null,
      contact: p.contact ?? null,
      dpoContact: p.dpoContact ?? null,
      supervisoryAuthority: p.supervisoryAuthority ?? null,
    },
    storage: config.store,
    devHostPatterns: [...config.devHosts],
    requestLog: { enabled: p.requestLog, fields: p.requestLog ? [...REQUEST_LOG_FIELDS] : [] },
    ipAnonymisation: { afterDays: days(p.retention.ipDays), ipv4PrefixBits: 24, ipv6PrefixBits: 64, appliesTo: p.requestLog ? [...IP_ANONYMISED_IN] : [] },
    rateLimiting: perIp === null && perKey === null ? null : {
      perIp, perKey, windowSeconds: RATE_WINDOW_MS / 1000, counterSeconds: COUNTER_DURATION_S, countersInDatabase: config.store === 'postgres',
    },
    retention: {
      requestLogDays: days(p.retention.requestLogDays),
      ipDays: days(p.retention.ipDays),
      auditDays: days(p.retention.auditDays),
      deactivatedActivationDays: days(p.retention.deactivatedActivationDays),
      expiredLicenseDays: days(p.retention.expiredLicenseDays),
    },
    purge: { automatic: p.purgeIntervalMinutes > 0, intervalMinutes: p.purgeIntervalMinutes > 0 ? p.purgeIntervalMinutes : null },
    subprocessors: p.subprocessors.map((s) => ({ ...s })),
    logCollector: host ? { host } : null,
    subjectRequestDays: SUBJECT_REQUEST_DAYS,
    breachNotificationHours: NOTIFICATION_HOURS,
    warnings,
  };
}

// Rendering ----------------------------------------------------------------------------------

export type PolicyFormat = 'md' | 'html' | 'json';

export const POLICY_CONTENT_TYPES: Record<PolicyFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export const POLICY_TITLE = 'How your data is processed for licensing';

export function renderPolicy(facts: PolicyFacts, format: PolicyFormat): { contentType: string; body: string } {
  const sections = policySections(facts);
  const contentType = POLICY_CONTENT_TYPES[format];
  if (format === 'json') return { contentType, body: `${JSON.stringify({ title: POLICY_TITLE, sections, facts }, null, 2)}\n` };
  if (format === 'html') return { contentType, body: renderHtml(sections, facts) };
  return { contentType, body: renderMarkdown(sections, facts) };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Markdown renderers pass HTML through, so `<`, `>` and `&` become entities; the punctuation that
 * starts emphasis, code or a link is backslash-escaped, so a configured value (a controller name,
 * a subprocessor) cannot inject markup into the page that embeds the policy.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/[\r\n]+/g, ' ')
    // What would open a heading, a list or a rule at the start of a line or list item.
    .replace(/^(\s*)([#+=-]|\d+(?=[.)]))/, (_m, space: string, mark: string) => `${space}${/\d/.test(mark) ? `${mark}\\` : `\\${mark}`}`);
}

function renderMarkdown(sections: PolicySection[], facts: PolicyFacts): string {
  const out: string[] = [`## ${escapeMarkdown(POLICY_TITLE)}`, ''];
  for (const s of sections) {
    out.push(`### ${escapeMarkdown(s.title)}`, '');
    for (const p of s.paragraphs) out.push(escapeMarkdown(p), '');
    if (s.items.length > 0) {
      for (const item of s.items) out.push(`- ${escapeMarkdown(item)}`);
      out.push('');
    }
  }
  out.push(`*${escapeMarkdown(generatedNote(facts))}*`, '');
  return out.join('\n');
}

function renderHtml(sections: PolicySection[], facts: PolicyFacts): string {
  const out: string[] = ['<section class="batchkeys-privacy-policy" lang="en">', `<h2>${escapeHtml(POLICY_TITLE)}</h2>`];
  for (const s of sections) {
    out.push(`<section id="${escapeHtml(`privacy-${s.id}`)}">`, `<h3>${escapeHtml(s.title)}</h3>`);
    for (const p of s.paragraphs) out.push(`<p>${escapeHtml(p)}</p>`);
    if (s.items.length > 0) out.push('<ul>', ...s.items.map((i) => `<li>${escapeHtml(i)}</li>`), '</ul>');
    out.push('</section>');
  }
  out.push(`<p><small>${escapeHtml(generatedNote(facts))}</small></p>`, '</section>', '');
  return out.join('\n');
}

function generatedNote(facts: PolicyFacts): string {
  return `Generated by BatchKeys from this installation's configuration on ${facts.generatedAt.slice(0, 10)}.`;
}

// Content negotiation -----------------------------------------------------------------------

const FORMAT_PARAM: Record<string, PolicyFormat> = { md: 'md', markdown: 'md', html: 'html', json: 'json' };

/** Media types served, in the order preferred when the client likes several equally. */
const SERVED: Array<{ type: string; subtype: string; format: PolicyFormat }> = [
  { type: 'text', subtype: 'markdown', format: 'md' },
  { type: 'text', subtype: 'x-markdown', format: 'md' },
  { type: 'text', subtype: 'html', format: 'html' },
  { type: 'application', subtype: 'xhtml+xml', format: 'html' },
  { type: 'application', subtype: 'json', format: 'json' },
];

/**
 * `?format=md|html|json` wins (`markdown` is also understood, any case). An unknown or empty
 * `format` value is treated as absent rather than refused: like an Accept header the server cannot
 * serve, it falls back to negotiation and then to Markdown, the documented default, so a public,
 * cacheable document never answers an error for a cosmetic parameter.
 *
 * Otherwise the Accept header decides (RFC 9110 section 12.5.1): each served type takes the q-value
 * of the most specific range that matches it (`text/html` over `text/*` over any type); q=0
 * refuses a type; the highest q wins, then the more specific range, then Markdown, HTML, JSON in
 * that order. No Accept header, or nothing acceptable in it: Markdown.
 */
export function negotiatePolicyFormat(accept: string | undefined, formatParam: string | undefined): PolicyFormat {
  const param = formatParam?.trim().toLowerCase();
  if (param && Object.hasOwn(FORMAT_PARAM, param)) return FORMAT_PARAM[param]!;
  if (!accept) return 'md';
  const ranges = parseAccept(accept);
  let best: { format: PolicyFormat; q: number; specificity: number } | null = null;
  for (const format of ['md', 'html', 'json'] as const) {
    // A format takes the most specific range that names any of its media types.
    let match: { q: number; specificity: number } | null = null;
    for (const served of SERVED) {
      if (served.format !== format) continue;
      for (const r of ranges) {
        const specificity = r.type === '*' ? 0
          : r.type !== served.type ? -1
          : r.subtype === '*' ? 1
          : r.subtype === served.subtype ? 2 : -1;
        if (specificity < 0) continue;
        if (!match || specificity > match.specificity || (specificity === match.specificity && r.q < match.q)) {
          match = { q: r.q, specificity };
        }
      }
    }
    if (!match || match.q <= 0) continue;
    if (!best || match.q > best.q || (match.q === best.q && match.specificity > best.specificity)) {
      best = { format, ...match };
    }
  }
  return best?.format ?? 'md';
}

function parseAccept(accept: string): Array<{ type: string; subtype: string; q: number }> {
  const out: Array<{ type: string; subtype: string; q: number }> = [];
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';');
    const m = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\/([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*$/.exec(range ?? '');
    if (!m) continue;
    let q = 1;
    for (const param of params) {
      const pm = /^\s*q\s*=\s*([0-9](?:\.[0-9]{0,3})?)\s*$/i.exec(param);
      if (pm) {
        q = Math.min(1, Number(pm[1]));
        break;
      }
    }
    const type = m[1]!.toLowerCase();
    const subtype = m[2]!.toLowerCase();
    if (type === '*' && subtype !== '*') continue;
    out.push({ type, subtype, q });
  }
  return out;
}
