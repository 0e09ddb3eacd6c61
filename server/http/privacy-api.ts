import { isoOrNull as iso } from '../domain/time.js';
import { z } from 'zod';
import type { Core } from '../core.js';
import { AppError } from '../domain/errors.js';
import { breachReport } from '../privacy/breach.js';
import { verifyAuditChain } from '../privacy/audit.js';
import { canonicalIp } from '../privacy/ip.js';
import { purgeExpiredData } from '../privacy/retention.js';
import {
  createSubjectRequest, eraseSubject, exportCsv, exportView, parseSubject, requestSubject, subjectDigest, subjectRequestView,
} from '../privacy/subjects.js';
import type { AuditEntry, RequestLogEntry } from '../store/privacy.js';
import { requireLicense } from '../services/admin.js';
import { route, type AdminRoute, type Caller } from './routes.js';

const isoInput = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const limit = z.coerce.number().int().min(1).max(500).default(50);
const seqCursor = z.string().regex(/^\d{1,15}$/, 'a cursor this server issued').transform(Number);
const subjectKind = z.enum(['email', 'ip', 'domain', 'device']);
const SubjectBody = z.strictObject({ kind: subjectKind, value: z.string().min(1).max(320) });

const RequestQuery = z.object({
  license: z.string().max(64).optional(),
  action: z.enum(['validate', 'activate', 'deactivate', 'consume']).optional(),
  code: z.string().max(64).optional(),
  ip: z.string().max(64).optional(),
  from: isoInput.optional(),
  to: isoInput.optional(),
  limit,
  cursor: seqCursor.optional(),
});
const RequestView = z.object({
  id: z.string(), at: z.string(), license: z.string().nullable(), action: z.string(), code: z.string(), status: z.number(),
  ip: z.string().nullable(), domain: z.string().nullable(), device: z.string().nullable(), tokens: z.number().nullable(),
  latencyMs: z.number(),
});
const requestView = (r: RequestLogEntry) => ({
  id: String(r.seq), at: iso(r.at)!, license: r.licenseId, action: r.action, code: r.code, status: r.status, ip: r.ip,
  domain: r.domain, device: r.device, tokens: r.tokens, latencyMs: r.latencyMs,
});
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

const AuditView = z.object({
  seq: z.number(), at: z.string(), account: z.string().nullable(), actor: z.string(), action: z.string(),
  target: z.string().nullable(), ip: z.string().nullable(), detail: z.record(z.string(), z.unknown()), hash: z.string(),
});
const auditView = (e: AuditEntry) => ({
  seq: e.seq, at: iso(e.at)!, account: e.accountId, actor: e.actor, action: e.action, target: e.target, ip: e.ip, detail: e.detail, hash: e.hash,
});

const SubjectRequestView = z.object({
  id: z.string(), kind: z.enum(['access', 'export', 'rectify', 'erase']), subjectKind, status: z.enum(['open', 'completed']),
  receivedAt: z.string(), dueAt: z.string(), instruction: z.string().nullable(), completedAt: z.string().nullable(),
  artefact: z.record(z.string(), z.unknown()).nullable(), subjectErased: z.boolean(),
});
const Rectification = z.strictObject({
  email: z.email().max(254).optional(), name: z.string().trim().min(1).max(200).optional(),
}).refine((c) => c.email !== undefined || c.name !== undefined, 'give email and/or name');

/** The privacy engine's admin routes: request log, audit, data-subject rights, breach response. */
export function privacyRoutes(core: Core): AdminRoute[] {
  const { store } = core;
  const acc = (c: Caller) => c.account.id;
  /** The operator sees across accounts; any other account only itself. */
  const scopeOf = (c: Caller) => (c.account.operator ? null : c.account.id);

  const listRequests = async (accountId: string | null, q: z.output<typeof RequestQuery>, licenseId?: string) => {
    await core.requestLog.flush();
    const ip = q.ip === undefined ? undefined : canonicalIp(q.ip) ?? q.ip;
    const items = await store.listRequests({
      accountId, licenseId: licenseId ?? q.license, action: q.action, code: q.code, ip, from: q.from, to: q.to, limit: q.limit, before: q.cursor,
    });
    return { items: items.map(requestView), nextCursor: items.length === q.limit ? String(items.at(-1)!.seq) : null };
  };

  const erase = async (accountId: string | null, kind: z.output<typeof subjectKind>, value: string) =>
    eraseSubject(core, accountId, parseSubject(kind, value));

  const exportData = async (accountId: string | null, kind: z.output<typeof subjectKind>, value: string) => {
    const subject = parseSubject(kind, value);
    await core.requestLog.flush();
    return exportView(core, subject, await store.findSubject(accountId, subject, subjectDigest(core, subject)));
  };

  return [
    // Request log
    route({
      method: 'get', path: '/v1/admin/requests', summary: 'Query the public API request log (newest first)', tag: 'Privacy',
      scope: 'read', query: RequestQuery, status: 200, response: page(RequestView),
      handler: async ({ caller, query }) => listRequests(acc(caller), query),
    }),
    route({
      method: 'get', path: '/v1/admin/licenses/:id/requests', summary: "A license's recent public API requests", tag: 'Privacy',
      scope: 'read', query: RequestQuery.omit({ license: true }), status: 200, response: page(RequestView),
      handler: async ({ caller, params, query }) => {
        const license = await requireLicense(core, acc(caller), params.id!);
        return listRequests(acc(caller), { ...query, license: undefined }, license.id);
      },
    }),
    route({
      method: 'get', path: '/v1/admin/licenses/:id/usage', summary: 'How often each endpoint was called for a license, and tokens consumed',
      tag: 'Privacy', scope: 'read', status: 200,
      response: z.object({
        requests: z.record(z.string(), z.object({ total: z.number(), byCode: z.record(z.string(), z.number()) })),
        tokensConsumed: z.number(),
      }),
      handler: async ({ caller, params }) => {
        const license = await requireLicense(core, acc(caller), params.id!);
        await core.requestLog.flush();
        const requests: Record<string, { total: number; byCode: Record<string, number> }> = {};
        for (const c of await store.requestCounts(acc(caller), license.id)) {
          const a = (requests[c.action] ??= { total: 0, byCode: {} });
          a.total += c.count;
          a.byCode[c.code] = c.count;
        }
        // Tokens are counted from the license's totals, not the log: grants and additions raise
        // both totals, consumption lowers only the remainder, and this outlives log retention.
        const tokensConsumed = license.tokensTotal === null ? 0 : license.tokensTotal - (license.tokensRemaining ?? 0);
        return { requests, tokensConsumed };
      },
    }),

    // Audit log
    route({
      method: 'get', path: '/v1/admin/audit', summary: 'The audit log (oldest first); the operator sees every account', tag: 'Privacy',
      scope: 'admin', status: 200, response: page(AuditView),
      query: z.object({ actor: z.string().max(64).optional(), from: isoInput.optional(), to: isoInput.optional(), limit, cursor: seqCursor.optional() }),
      handler: async ({ caller, query }) => {
        const items = await store.listAudit({
          accountId: caller.account.operator ? undefined : acc(caller), actor: query.actor, from: query.from, to: query.to,
          afterSeq: query.cursor, limit: query.limit,
        });
        return { items: items.map(auditView), nextCursor: items.length === query.limit ? String(items.at(-1)!.seq) : null };
      },
    }),
    route({
      method: 'post', path: '/v1/admin/audit/verify', summary: 'Verify the audit hash chain (operator)', tag: 'Privacy', scope: 'admin',
      operator: true, status: 200,
      response: z.object({ ok: z.boolean(), checked: z.number(), lastSeq: z.number(), problems: z.array(z.object({ seq: z.number(), problem: z.string() })) }),
      handler: async () => {
        const r = await verifyAuditChain(store);
        return { ok: r.ok, checked: r.checked, lastSeq: r.lastSeq, problems: r.problems };
      },
    }),

    // Data-subject rights. Subjects travel in bodies, never in URLs, which proxies log.
    route({
      method: 'post', path: '/v1/admin/privacy/subjects/search', summary: 'Find everything held about a data subject', tag: 'Privacy',
      scope: 'admin', body: SubjectBody, status: 200,
      handler: async ({ caller, body }) => exportData(scopeOf(caller), body.kind, body.value),
    }),
    route({
      method: 'post', path: '/v1/admin/privacy/subjects/export', summary: 'Export a data subject\'s data as JSON or CSV', tag: 'Privacy',
      scope: 'admin', body: SubjectBody.extend({ format: z.enum(['json', 'csv']).default('json') }), status: 200,
      handler: async ({ caller, body, res }) => {
        const data = await exportData(scopeOf(caller), body.kind, body.value);
        if (body.format === 'csv') {
          res.status(200).type('text/csv; charset=utf-8').attachment('subject-export.csv').send(exportCsv(data));
          return { exported: true };
        }
        res.attachment('subject-export.json');
        return data;
      },
    }),
    route({
      method: 'post', path: '/v1/admin/privacy/subjects/rectify', summary: 'Rectify the licensee email or name of an email\'s licenses',
      tag: 'Privacy', scope: 'admin', body: z.strictObject({ email: z.email().max(254), set: Rectification }), status: 200,
      response: z.object({ licensesUpdated: z.number() }),
      handler: async ({ caller, body }) => {
        const email = parseSubject('email', body.email).value;
        const set = { email: body.set.email?.toLowerCase(), name: body.set.name };
        return { licensesUpdated: await store.rectifySubject(scopeOf(caller), email, set, core.now()) };
      },
    }),
    route({
      method: 'post', path: '/v1/admin/privacy/subjects/erase', summary: 'Erase a data subject; answers what was removed and retained',
      tag: 'Privacy', scope: 'admin', body: SubjectBody, status: 200,
      handler: async ({ caller, body }) => erase(scopeOf(caller), body.kind, body.value),
    }),
    route({
      method: 'post', path: '/v1/admin/privacy/purge', summary: 'Apply the retention periods now (operator)', tag: 'Privacy',
      scope: 'admin', operator: true, status: 200,
      response: z.object({ requests: z.number(), ipsAnonymised: z.number(), audit: z.number(), activations: z.number(), licenses: z.number() }),
      handler: async () => purgeExpiredData(core),
    }),

    // Data-subject requests, as the processor records them for its controller.
    route({
      method: 'post', path: '/v1/admin/privacy/requests', summary: 'Record a data-subject request (due 30 days after receipt)',
      tag: 'Privacy', scope: 'write', status: 201, response: z.object({ request: SubjectRequestView }),
      body: z.strictObject({
        kind: z.enum(['access', 'export', 'rectify', 'erase']), subject: SubjectBody, receivedAt: isoInput.optional(),
        instruction: z.string().trim().max(2000).optional(),
      }),
      handler: async ({ caller, body }) => ({
        request: subjectRequestView(await createSubjectRequest(core, acc(caller), {
          kind: body.kind, subject: parseSubject(body.subject.kind, body.subject.value), receivedAt: body.receivedAt, instruction: body.instruction,
        })),
      }),
    }),
    route({
      method: 'get', path: '/v1/admin/privacy/requests', summary: 'List data-subject requests; ?overdue=true lists the open ones past due',
      tag: 'Privacy', scope: 'read', status: 200, response: page(SubjectRequestView),
      query: z.object({
        status: z.enum(['open', 'completed']).optional(), overdue: z.enum(['true', 'false']).optional(), limit,
        cursor: z.string().max(64).optional(),
      }),
      handler: async ({ caller, query }) => {
        const items = await store.listSubjectRequests({
          accountId: acc(caller), status: query.status, dueBefore: query.overdue === 'true' ? core.now() : undefined,
          limit: query.limit, after: query.cursor,
        });
        return { items: items.map(subjectRequestView), nextCursor: items.length === query.limit ? items.at(-1)!.id : null };
      },
    }),
    route({
      method: 'get', path: '/v1/admin/privacy/requests/:id', summary: 'Show a data-subject request', tag: 'Privacy', scope: 'read',
      status: 200, response: z.object({ request: SubjectRequestView }),
      handler: async ({ caller, params }) => {
        const q = await store.getSubjectRequest(acc(caller), params.id!);
        if (!q) throw new AppError('NOT_FOUND', `There is no data-subject request "${params.id}".`);
        return { request: subjectRequestView(q) };
      },
    }),
    route({
      method: 'post', path: '/v1/admin/privacy/requests/:id/actions/complete',
      summary: 'Complete a request: with an artefact given, or carried out by the server (access/export: the export; erase: the erasure report; rectify: `rectify`)',
      tag: 'Privacy', scope: 'admin', status: 200, response: z.object({ request: SubjectRequestView }),
      body: z.strictObject({ artefact: z.record(z.string(), z.unknown()).optional(), rectify: Rectification.optional() }),
      handler: async ({ caller, params, body }) => {
        const q = await store.getSubjectRequest(acc(caller), params.id!);
        if (!q) throw new AppError('NOT_FOUND', `There is no data-subject request "${params.id}".`);
        if (q.status === 'completed') throw new AppError('CONFLICT', 'This request is already completed.');
        let artefact = body.artefact;
        if (!artefact) {
          const subject = requestSubject(core, q);
          if (!subject) throw new AppError('CONFLICT', 'The subject of this request was erased: give the artefact.');
          if (q.kind === 'erase') artefact = await eraseSubject(core, acc(caller), subject) as unknown as Record<string, unknown>;
          else if (q.kind === 'rectify') {
            if (!body.rectify || subject.kind !== 'email') throw new AppError('VALIDATION_ERROR', 'Give `rectify` (email and/or name) for a request about an email.');
            const n = await store.rectifySubject(acc(caller), subject.value, { email: body.rectify.email?.toLowerCase(), name: body.rectify.name }, core.now());
            artefact = { licensesUpdated: n, fields: Object.keys(body.rectify) };
          } else artefact = await exportData(acc(caller), subject.kind, subject.value) as unknown as Record<string, unknown>;
        }
        const done = await store.completeSubjectRequest(acc(caller), q.id, core.now(), artefact);
        return { request: subjectRequestView(done!) };
      },
    }),

    // Breach response
    route({
      method: 'post', path: '/v1/admin/breach-reports', summary: 'What was read or changed in a time window, by whom, and whom to notify',
      tag: 'Privacy', scope: 'admin', status: 200,
      body: z.strictObject({
        from: isoInput, to: isoInput, awareAt: isoInput.optional(), token: z.string().max(64).optional(),
        account: z.string().max(64).optional(), ip: z.string().max(64).optional(),
      }).refine((b) => b.from < b.to, 'from must be before to'),
      handler: async ({ caller, body }) => {
        // Another account's report is the operator's business only.
        const accountId = caller.account.operator ? body.account : acc(caller);
        const ip = body.ip === undefined ? undefined : canonicalIp(body.ip) ?? body.ip;
        return breachReport(core, { from: body.from, to: body.to, awareAt: body.awareAt ?? core.now(), token: body.token, accountId, ip });
      },
    }),
    ...(['suspend-api', 'reinstate-api'] as const).map((action) => route({
      method: 'post', path: `/v1/admin/accounts/:id/actions/${action}`,
      summary: action === 'suspend-api'
        ? "Shut down an account's admin API access until reinstated; its keys keep validating (operator)"
        : "Reinstate an account's admin API access (operator)",
      tag: 'Accounts', scope: 'admin', operator: true, status: 200,
      response: z.object({ account: z.object({ id: z.string(), apiSuspendedAt: z.string().nullable() }) }),
      handler: async ({ params }) => {
        const at = action === 'suspend-api' ? core.now() : null;
        if (!(await store.setAccountApiSuspended(params.id!, at))) throw new AppError('NOT_FOUND', `There is no account "${params.id}".`);
        return { account: { id: params.id!, apiSuspendedAt: iso(at) } };
      },
    })),
  ];
}
