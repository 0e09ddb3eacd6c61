import type { Subprocessor } from '../config.js';
import type { PolicyFacts } from './policy.js';

/** One section of the generated policy: plain text, escaped by each renderer. */
export interface PolicySection {
  id: string;
  title: string;
  paragraphs: string[];
  items: string[];
}

/** Whether a configured subprocessor already describes the service at `host` (the log collector). */
export function describesHost(s: Subprocessor, host: string): boolean {
  const h = host.toLowerCase().replace(/:\d+$/, '');
  return [s.name, s.purpose, s.location].some((t) => t.toLowerCase().includes(h));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const period = (d: number | null) => (d === null ? null : plural(d, 'day'));
const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/**
 * The policy's sentences. Each one is chosen by a fact, so a feature that is off is not
 * mentioned (rate limiting) or is said to be off (the request log), and nothing is claimed about
 * services the configuration does not name.
 */
export function policySections(f: PolicyFacts): PolicySection[] {
  const controller = f.controller.name ?? 'The controller';
  const contactLine = f.controller.contact
    ? `write to ${f.controller.contact}`
    : 'contact the controller at the address given elsewhere in this privacy policy';
  const sections: PolicySection[] = [];
  const ipDays = f.ipAnonymisation.afterDays;
  const auditDays = f.retention.auditDays;

  // Who --------------------------------------------------------------------------------------
  const who: string[] = [
    `${f.controller.name ?? 'The vendor who issued your license'} is the controller of the personal data described here. ` +
      'Licenses are issued and checked by a BatchKeys license server, which processes this data on the controller\'s ' +
      'behalf and only on its instructions.',
  ];
  const whoItems: string[] = [];
  if (f.controller.contact) whoItems.push(`Privacy contact: ${f.controller.contact}`);
  if (f.controller.dpoContact) whoItems.push(`Data protection officer: ${f.controller.dpoContact}`);
  sections.push({ id: 'controller', title: 'Who is responsible', paragraphs: who, items: whoItems });

  // Customers --------------------------------------------------------------------------------
  sections.push({
    id: 'customers',
    title: 'Data about customers (licensees)',
    paragraphs: [
      'When you buy or receive a license, the license server stores the license and the details the controller ' +
        'gives for it. The purpose is to issue, deliver and check the license you obtained; the legal basis is the ' +
        'performance of that contract (GDPR Art. 6(1)(b)).',
      'Your license key is never stored in readable form: the server keeps only a keyed digest (HMAC-SHA256) to ' +
        'recognise it and an encrypted copy (AES-256-GCM) so that the controller can show it to you again. The ' +
        'secrets for both are kept outside the database.',
    ],
    items: [
      'your email address and name, when the controller records them with the license',
      'any notes (metadata) the controller attaches to the license',
      'the product, the license terms (status, expiry, the domain or device lock, the number of seats) and the dates it was created and changed',
      'for licenses with a token balance: the balance and a ledger of tokens granted and consumed, with the time of each entry',
    ],
  });

  // Sites and devices -------------------------------------------------------------------------
  const devHosts = 'localhost, private and loopback addresses, *.local, *.test, *.example, *.invalid, and staging.* or dev.* subdomains' +
    (f.devHostPatterns.length > 0 ? `, as well as ${list(f.devHostPatterns)}` : '');
  sections.push({
    id: 'sites',
    title: 'Data about the sites and devices that use a license',
    paragraphs: [
      'When a license is activated on a website or a device, the server records that activation, so that the ' +
        'number of sites or devices agreed in the license can be enforced. The legal basis is the performance of the ' +
        'license contract (GDPR Art. 6(1)(b)).',
      `Activations on development hosts (${devHosts}) are recorded too, marked as development, and do not use a seat.`,
      'The public license API never returns personal data: a check answers with the state of the license only, ' +
        'never an email address, a name or an IP address.',
    ],
    items: [
      'the domain name of the website, or the device identifier (a UUID), and an optional label',
      'when the activation was created, when it was last seen, and when it was deactivated',
    ],
  });

  // Requests ---------------------------------------------------------------------------------
  const requests: string[] = [];
  const requestItems: string[] = [];
  if (f.requestLog.enabled) {
    requests.push(
      'Each request to the license API (validate, activate, deactivate, consume) is recorded in a request log with ' +
        'the fields below. The license key itself is never recorded. The purpose is to show the controller how a ' +
        'license is used, to detect key sharing, fraud and abuse, and to answer support questions; the legal basis ' +
        'is the controller\'s legitimate interest in preventing fraud and misuse of its licenses (GDPR Art. 6(1)(f)).',
    );
    requestItems.push(...f.requestLog.fields);
    const logDays = f.retention.requestLogDays;
    if (ipDays === null) {
      requests.push('Client IP addresses in the request log are kept in full for as long as the request log entry is kept.');
    } else if (logDays !== null && ipDays >= logDays) {
      requests.push(`Request log entries, with their client IP addresses, are deleted after ${period(logDays)}.`);
    } else {
      requests.push(
        `After ${period(ipDays)}, client IP addresses in the request log are anonymised: IPv4 addresses are cut to ` +
          `their first ${f.ipAnonymisation.ipv4PrefixBits} bits (a.b.c.0) and IPv6 addresses to their first ` +
          `${f.ipAnonymisation.ipv6PrefixBits} bits.`,
      );
    }
  } else {
    requests.push(
      'No per-request log is kept: the license server does not record who checked a license key, when, or from ' +
        'which IP address' + (f.rateLimiting ? ', apart from the short-lived rate-limit counters described under Rate limiting.' : '.'),
    );
  }
  sections.push({ id: 'requests', title: 'License checks and API requests', paragraphs: requests, items: requestItems });

  if (f.rateLimiting) {
    const r = f.rateLimiting;
    const limits: string[] = [];
    if (r.perIp !== null) limits.push(`${plural(r.perIp, 'request')} per client IP address`);
    if (r.perKey !== null) limits.push(`${plural(r.perKey, 'request')} per license key`);
    const counted = [r.perIp !== null ? 'the client IP address' : null, r.perKey !== null ? 'a digest of the license key' : null]
      .filter((x): x is string => x !== null);
    sections.push({ id: 'rate-limiting', title: 'Rate limiting', items: [], paragraphs: [
      `To protect the service against abuse and overload, the license API accepts at most ${list(limits)} in any ` +
        `${r.windowSeconds} seconds. For this, requests are counted by ${list(counted)}; each counter is kept ` +
        `${r.countersInDatabase ? 'in the database that the license servers share' : 'in the server\'s memory'} ` +
        `for ${Math.round(r.counterSeconds / 60)} minutes and then forgotten. The legal basis is the controller's ` +
        'legitimate interest in the security and availability of the service (GDPR Art. 6(1)(f)).',
    ] });
  }

  // Administration and logs -------------------------------------------------------------------
  const admin: string[] = [
    'Every request to the admin API made with a valid API token (reads included) is recorded in an audit log with ' +
      'the time, the token used, the IP address it came from, the record concerned and whether it was carried out; ' +
      'never the request\'s content. Each entry is chained to the previous one by a hash, so that a removed or ' +
      'altered entry is detected. The legal basis is the controller\'s legitimate interest in the security of the ' +
      'data and in being able to show who did what (GDPR Art. 6(1)(f), Art. 32).',
    ipDays !== null && (auditDays === null || ipDays < auditDays)
      ? `IP addresses are removed from audit log entries after ${period(ipDays)}.`
      : 'IP addresses in the audit log are kept for as long as the entry.',
    'The server also writes operational logs (errors and request summaries). License keys, API tokens, passwords, ' +
      'cookies and Authorization headers are removed from every log line before it is written' +
      (f.logCollector ? ` or sent to the log collector at ${f.logCollector.host}.` : '.'),
  ];
  sections.push({ id: 'administration', title: 'Administration and logs', paragraphs: admin, items: [] });

  // Retention --------------------------------------------------------------------------------
  const keep = (d: number | null, what: string, whenKept = 'kept until it is erased or deleted by the controller') =>
    d === null ? `${what}: ${whenKept}` : `${what}: deleted after ${period(d)}`;
  const retentionItems = [
    'Licenses and licensee details: kept while the license exists, until the controller deletes it or you ask for erasure',
    f.retention.expiredLicenseDays === null
      ? 'Expired licenses: kept until the controller deletes them or you ask for erasure'
      : `Expired licenses: deleted, with their activations and token history, ${period(f.retention.expiredLicenseDays)} after they expired`,
    f.retention.deactivatedActivationDays === null
      ? 'Deactivated activations (sites and devices): kept with their license'
      : `Deactivated activations (sites and devices): deleted ${period(f.retention.deactivatedActivationDays)} after deactivation`,
  ];
  if (f.requestLog.enabled) {
    retentionItems.push(keep(f.retention.requestLogDays, 'Request log entries', 'kept until erased'));
    if (f.ipAnonymisation.afterDays !== null && (f.retention.requestLogDays === null || f.ipAnonymisation.afterDays < f.retention.requestLogDays)) {
      retentionItems.push(`Client IP addresses in the request log: anonymised after ${period(f.ipAnonymisation.afterDays)}`);
    }
  }
  retentionItems.push(keep(auditDays, 'Audit log entries', 'kept until erased'));
  if (ipDays !== null && (auditDays === null || ipDays < auditDays)) {
    retentionItems.push(`IP addresses in the audit log: removed after ${period(ipDays)}`);
  }
  if (f.rateLimiting) retentionItems.push(`Rate-limit counters: ${Math.round(f.rateLimiting.counterSeconds / 60)} minutes`);
  sections.push({
    id: 'retention',
    title: 'How long data is kept',
    paragraphs: [
      f.purge.automatic
        ? `Data past its retention period is deleted automatically; the clean-up runs every ${plural(f.purge.intervalMinutes ?? 0, 'minute')}.`
        : 'Data past its retention period is deleted each time the operator of the license server runs the clean-up; ' +
          'it is not scheduled automatically on this installation.',
    ],
    items: retentionItems,
  });

  // Rights -----------------------------------------------------------------------------------
  sections.push({
    id: 'rights',
    title: 'Your rights and how to use them',
    paragraphs: [
      `To use any of these rights, ${contactLine}. Identify the data by your email address, or by the domain name, ` +
        'device identifier or IP address it concerns. Each request is recorded and answered within one month ' +
        `(${f.subjectRequestDays} days) of receipt.`,
      'Erasing your data deletes the licenses issued to your email address with their activations and token ' +
        'history, and the activations and request-log entries naming your IP address, domain or device; audit log entries are kept ' +
        'with your IP address removed. A license whose data is erased stops working.',
      f.controller.supervisoryAuthority
        ? `You also have the right to lodge a complaint with the supervisory authority: ${f.controller.supervisoryAuthority}.`
        : 'You also have the right to lodge a complaint with a data protection supervisory authority.',
    ],
    items: [
      'access: a copy of the data held about you',
      'data portability: the same data in a machine-readable format (JSON or CSV)',
      'rectification: correction of your email address or name',
      'erasure: deletion of the data held about you',
      'restriction and objection: a license can be suspended instead of deleted, and you may object to processing based on legitimate interests',
    ],
  });

  // Subprocessors ----------------------------------------------------------------------------
  const subs = f.subprocessors.map((s) => `${s.name}: ${s.purpose} (${s.location})`);
  const collector = f.logCollector;
  if (collector && !f.subprocessors.some((s) => describesHost(s, collector.host))) {
    subs.push(`log collector at ${collector.host}: receives the server's operational log lines, with keys, tokens, passwords, cookies and Authorization headers removed`);
  }
  sections.push({
    id: 'subprocessors',
    title: 'Subprocessors',
    paragraphs: [subs.length > 0
      ? 'The license server passes data to these subprocessors:'
      : 'No subprocessors are configured for this license server.'],
    items: subs,
  });

  // Breaches ---------------------------------------------------------------------------------
  sections.push({
    id: 'breach',
    title: 'Personal data breaches',
    paragraphs: [
      'If the license server\'s operator becomes aware of a breach of personal data, it notifies the controller without undue delay. ' +
        `${controller} notifies ` +
        `${f.controller.supervisoryAuthority ?? 'the competent supervisory authority'} within ${f.breachNotificationHours} hours ` +
        'of becoming aware of the breach, unless it is unlikely to result in a risk to people\'s rights and freedoms, ' +
        'and informs the people affected without undue delay when the risk to them is high.',
    ],
    items: [],
  });
  return sections;
}
