import type { Core } from '../core.js';
import type { AuditEntry, RequestLogEntry } from '../store/privacy.js';

const HOUR = 3_600_000;
/** GDPR Art. 33(1): the supervisory authority is notified within 72 hours of awareness. */
export const NOTIFICATION_HOURS = 72;

/** Admin actions that read every license of an account at once (lists, exports, searches). */
const BULK_READS = new Set(['GET /v1/admin/licenses', 'POST /v1/admin/privacy/subjects/export', 'POST /v1/admin/privacy/subjects/search']);

export interface BreachQuery {
  from: number;
  to: number;
  awareAt: number;
  token?: string | undefined;
  accountId?: string | undefined;
  ip?: string | undefined;
}

async function collect<T>(page: (after: number | undefined) => Promise<T[]>, seqOf: (t: T) => number, max = 100_000): Promise<T[]> {
  const all: T[] = [];
  let after: number | undefined;
  for (;;) {
    const rows = await page(after);
    all.push(...rows);
    if (rows.length === 0 || all.length >= max) return all;
    after = seqOf(rows.at(-1)!);
  }
}

const countBy = <T>(items: T[], key: (t: T) => string) => {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
};

/**
 * What happened in a time window, for a breach assessment: which data was read or changed and
 * by whom (from the audit log), what the public API was asked (from the request log), which
 * accounts and how many data subjects are concerned, when the notification is due, and whom
 * to notify.
 */
export async function breachReport(core: Core, q: BreachQuery) {
  const { store } = core;
  await core.requestLog.flush();
  const audit = await collect<AuditEntry>((after) => store.listAudit({
    from: q.from, to: q.to, actor: q.token, ip: q.ip, accountId: q.accountId, afterSeq: after, limit: 1000,
  }), (e) => e.seq);
  const requests = q.token ? [] : await collect<RequestLogEntry>((before) => store.listRequests({
    accountId: q.accountId ?? null, ip: q.ip, from: q.from, to: q.to, before, limit: 1000,
  }), (r) => r.seq);

  const accountIds = new Set<string>();
  for (const e of audit) if (e.accountId) accountIds.add(e.accountId);
  for (const r of requests) if (r.accountId) accountIds.add(r.accountId);

  // Data subjects: the licensees of every license an action touched; a bulk read touches all
  // of its account's licenses.
  const emails = new Set<string>();
  const licenses = new Set<string>();
  const bulkAccounts = new Set(audit.filter((e) => BULK_READS.has(e.action) && e.accountId).map((e) => e.accountId!));
  for (const accountId of bulkAccounts) {
    for await (const l of store.iterateLicenses(accountId, 1000)) {
      licenses.add(l.id);
      if (l.email) emails.add(l.email.toLowerCase());
    }
  }
  for (const e of audit) {
    if (!e.target?.startsWith('lic_') || !e.accountId || licenses.has(e.target)) continue;
    const l = await store.getLicense(e.accountId, e.target);
    licenses.add(e.target);
    if (l?.email) emails.add(l.email.toLowerCase());
  }
  const accounts = await Promise.all([...accountIds].map(async (id) => {
    const a = await store.getAccount(id);
    return { id, name: a?.name ?? null, apiSuspended: a ? a.apiSuspendedAt !== null : null };
  }));
  const reads = audit.filter((e) => e.action.startsWith('GET '));
  const changes = audit.filter((e) => !e.action.startsWith('GET ') && e.detail.outcome !== 'refused');
  const p = core.config.privacy;
  const contacts = [
    p.contact && { role: 'controller (privacy contact)', contact: p.contact },
    p.dpoContact && { role: 'data protection officer', contact: p.dpoContact },
    p.supervisoryAuthority && { role: 'supervisory authority', contact: p.supervisoryAuthority },
    ...accounts.map((a) => ({ role: 'account holder', contact: `${a.name ?? a.id} (${a.id})` })),
  ].filter((c): c is { role: string; contact: string } => Boolean(c));
  const notifyBy = q.awareAt + NOTIFICATION_HOURS * HOUR;
  return {
    window: { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() },
    filters: { token: q.token ?? null, account: q.accountId ?? null, ip: q.ip ?? null },
    awareAt: new Date(q.awareAt).toISOString(),
    notifyBy: new Date(notifyBy).toISOString(),
    hoursLeft: Math.round((notifyBy - core.now()) / HOUR),
    admin: {
      entries: audit.length,
      byActor: countBy(audit, (e) => e.actor),
      read: countBy(reads, (e) => e.action),
      changed: countBy(changes, (e) => e.action),
      keysRevealed: audit.filter((e) => e.action === 'GET /v1/admin/licenses/:id/key').map((e) => e.target),
      bulkReads: audit.filter((e) => BULK_READS.has(e.action)).length,
    },
    publicApi: {
      requests: requests.length,
      byAction: countBy(requests, (r) => r.action),
      note: 'The public license API returns license state only, never personal data.',
    },
    accounts,
    dataSubjects: { licensees: emails.size, licenses: licenses.size },
    contacts,
  };
}

export type BreachReport = Awaited<ReturnType<typeof breachReport>>;
