import { isoOrNull as iso } from '../domain/time.js';
import { stringify } from 'csv-stringify/sync';
import type { Core } from '../core.js';
import { AppError } from '../domain/errors.js';
import { normalizeDevice, normalizeDomain } from '../domain/hosts.js';
import { newId } from '../domain/ids.js';
import type { ErasureCounts, Subject, SubjectKind, SubjectRecords, SubjectRequest, SubjectRequestKind } from '../store/privacy.js';
import { canonicalIp } from './ip.js';

const DAY = 86_400_000;
/** GDPR Art. 12(3): a data subject is answered within one month; 30 days is the working figure. */
export const SUBJECT_REQUEST_DAYS = 30;

const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

/** Reads a subject as given by an admin, in the normal form the stores search for. */
export function parseSubject(kind: SubjectKind, raw: string): Subject {
  const bad = (what: string) => new AppError('VALIDATION_ERROR', `"${raw}" is not ${what}.`, [{ path: 'value', message: `must be ${what}` }]);
  switch (kind) {
    case 'email': {
      const v = raw.trim().toLowerCase();
      if (!EMAIL_RE.test(v) || v.length > 254) throw bad('an email address');
      return { kind, value: v };
    }
    case 'ip': {
      const v = canonicalIp(raw);
      if (!v) throw bad('an IP address');
      return { kind, value: v };
    }
    case 'domain': {
      const v = normalizeDomain(raw);
      if (!v) throw bad('a domain');
      return { kind, value: v };
    }
    case 'device': {
      const v = normalizeDevice(raw);
      if (!v) throw bad('a device UUID');
      return { kind, value: v };
    }
  }
}

export const subjectDigest = (core: Core, s: Subject) => core.vault.tag('subject', `${s.kind}:${s.value}`);


/** The machine-readable export of everything held about a subject (keys shown only as a hint). */
export function exportView(core: Core, subject: Subject, records: SubjectRecords) {
  return {
    subject: { kind: subject.kind, value: subject.value },
    generatedAt: new Date(core.now()).toISOString(),
    licenses: records.licenses.map((l) => ({
      id: l.id, product: l.productSlug, status: l.status, keyHint: keyHint(core, l.keyEncrypted), email: l.email, name: l.name,
      lock: l.lock, maxActivations: l.maxActivations, tokensRemaining: l.tokensRemaining, expiresAt: iso(l.expiresAt),
      metadata: l.metadata, createdAt: iso(l.createdAt), updatedAt: iso(l.updatedAt),
    })),
    activations: records.activations.map((a) => ({
      id: a.id, license: a.licenseId, domain: a.domain, device: a.device, label: a.label, development: a.development,
      createdAt: iso(a.createdAt), lastSeenAt: iso(a.lastSeenAt), deactivatedAt: iso(a.deactivatedAt),
    })),
    tokenUsage: records.ledger.map((e) => ({ id: e.id, license: e.licenseId, delta: e.delta, reason: e.reason, at: iso(e.createdAt) })),
    requests: records.requests.map((r) => ({
      id: String(r.seq), at: iso(r.at), license: r.licenseId, action: r.action, code: r.code, ip: r.ip, domain: r.domain, device: r.device,
      tokens: r.tokens,
    })),
    auditEntries: records.audit.map((e) => ({ seq: e.seq, at: iso(e.at), actor: e.actor, action: e.action, target: e.target, ip: e.ip })),
    subjectRequests: records.subjectRequests.map((q) => subjectRequestView(q)),
  };
}

export type SubjectExport = ReturnType<typeof exportView>;

/** The same export as CSV: one section per kind of record, each with its own header row. */
export function exportCsv(data: SubjectExport): string {
  const sections: Array<[string, Array<Record<string, unknown>>]> = [
    ['licenses', data.licenses], ['activations', data.activations], ['tokenUsage', data.tokenUsage],
    ['requests', data.requests], ['auditEntries', data.auditEntries], ['subjectRequests', data.subjectRequests],
  ];
  return sections.map(([name, rows]) => {
    const flat = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v !== null && typeof v === 'object' ? JSON.stringify(v) : v])));
    const header = `# ${name}\n`;
    return header + (flat.length ? stringify(flat, { header: true }) : '(none)\n');
  }).join('\n');
}

/** The last group of a key, enough for a person to recognise it, never enough to use it. */
function keyHint(core: Core, keyEncrypted: string): string {
  try {
    const key = core.vault.decrypt(keyEncrypted);
    return `…${key.slice(-5)}`;
  } catch {
    return '…';
  }
}

export interface ErasureReport {
  subject: { kind: SubjectKind };
  erasedAt: string;
  removed: ErasureCounts;
  retained: Array<{ what: string; why: string }>;
  /** The keys that stop working: their licenses were erased. */
  keysStopped: Array<{ license: string; product: string; keyHint: string }>;
}

/** Erases a subject and says what was removed, what was kept and why, and which keys stop working. */
export async function eraseSubject(core: Core, accountId: string | null, subject: Subject): Promise<ErasureReport> {
  const digest = subjectDigest(core, subject);
  const before = await core.store.findSubject(accountId, subject, digest);
  const keysStopped = before.licenses.map((l) => ({ license: l.id, product: l.productSlug, keyHint: keyHint(core, l.keyEncrypted) }));
  // Entries already buffered for the request log must not bring the subject back afterwards.
  await core.requestLog.flush();
  const removed = await core.store.eraseSubject(accountId, subject, digest, core.now());
  const retained: ErasureReport['retained'] = [];
  if (removed.auditRedacted > 0 || before.audit.length > 0) {
    retained.push({
      what: `${before.audit.length} audit log entries`,
      why: 'Kept to account for administrative actions (GDPR Art. 5(2) accountability); they name records by id only, and the IP address was removed from them.',
    });
  }
  if (removed.subjectRequestsRedacted > 0 || before.subjectRequests.length > 0) {
    retained.push({
      what: `${before.subjectRequests.length} data-subject request records`,
      why: 'Kept as evidence that the request was answered (GDPR Art. 5(2)); the subject itself was wiped from them, only a keyed digest remains.',
    });
  }
  return { subject: { kind: subject.kind }, erasedAt: new Date(core.now()).toISOString(), removed, retained, keysStopped };
}

export function subjectRequestView(q: SubjectRequest) {
  return {
    id: q.id, kind: q.kind, subjectKind: q.subjectKind, status: q.status, receivedAt: iso(q.receivedAt)!, dueAt: iso(q.dueAt)!,
    instruction: q.instruction, completedAt: iso(q.completedAt), artefact: q.artefact, subjectErased: q.subjectEncrypted === null,
  };
}

export async function createSubjectRequest(core: Core, accountId: string, input: {
  kind: SubjectRequestKind; subject: Subject; receivedAt?: number | undefined; instruction?: string | undefined;
}): Promise<SubjectRequest> {
  const now = core.now();
  const receivedAt = input.receivedAt ?? now;
  const request: SubjectRequest = {
    id: newId('dsr', now), accountId, kind: input.kind, subjectKind: input.subject.kind,
    subjectDigest: subjectDigest(core, input.subject), subjectEncrypted: core.vault.encrypt(input.subject.value),
    receivedAt, dueAt: receivedAt + SUBJECT_REQUEST_DAYS * DAY, instruction: input.instruction ?? null, status: 'open',
    completedAt: null, artefact: null, createdAt: now,
  };
  await core.store.createSubjectRequest(request);
  return request;
}

/** The subject of a recorded request, while it is still held. */
export function requestSubject(core: Core, q: SubjectRequest): Subject | null {
  return q.subjectEncrypted === null ? null : { kind: q.subjectKind, value: core.vault.decrypt(q.subjectEncrypted) };
}
