import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../store/dump.js';
import type { AuditEntry, NewAuditEntry } from '../store/privacy.js';
import type { Store } from '../store/store.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The commitment to an actor's IP that the chain covers: the IP itself can later be removed. */
export const ipCommitment = (salt: string, ip: string) => sha256(`${salt}|${ip}`);

/** The hash of an entry: everything but the removable IP and salt, plus the previous hash. */
export function entryHash(e: Omit<AuditEntry, 'hash' | 'ip' | 'ipSalt'>): string {
  return sha256(canonicalJson({
    seq: e.seq, at: e.at, accountId: e.accountId, actor: e.actor, action: e.action, target: e.target,
    ipCommit: e.ipCommit, detail: e.detail, prevHash: e.prevHash,
  }));
}

export interface AuditEvent {
  accountId: string | null;
  actor: string;
  action: string;
  target?: string | null | undefined;
  ip?: string | null | undefined;
  detail?: Record<string, unknown> | undefined;
}

/** Appends to the hash-chained audit log. */
export class Auditor {
  constructor(private readonly store: Store, private readonly now: () => number) {}

  async record(event: AuditEvent): Promise<AuditEntry> {
    const ip = event.ip ?? null;
    const salt = ip === null ? null : randomBytes(16).toString('hex');
    const entry: NewAuditEntry = {
      at: this.now(), accountId: event.accountId, actor: event.actor, action: event.action, target: event.target ?? null,
      ip, ipSalt: salt, ipCommit: ip === null || salt === null ? null : ipCommitment(salt, ip), detail: event.detail ?? {},
    };
    return this.store.appendAudit(entry, (prevHash, seq) => entryHash({ ...entry, seq, prevHash }));
  }
}

export interface ChainReport {
  ok: boolean;
  /** Entries checked, from the anchor on. */
  checked: number;
  anchor: { seq: number; hash: string };
  lastSeq: number;
  problems: Array<{ seq: number; problem: string }>;
}

/**
 * Walks the chain from its anchor: every entry must follow the one before it (seq + 1, its
 * previous hash), hash to its stored hash, and, where its IP is still held, commit to that IP.
 * A removed, inserted, reordered or altered entry breaks one of these.
 */
export async function verifyAuditChain(store: Store, batch = 1000): Promise<ChainReport> {
  const anchor = await store.auditAnchor();
  const problems: ChainReport['problems'] = [];
  let prev = anchor;
  let checked = 0;
  for (;;) {
    const page = await store.listAudit({ afterSeq: prev.seq, limit: batch });
    if (page.length === 0) break;
    for (const e of page) {
      if (e.seq !== prev.seq + 1) problems.push({ seq: e.seq, problem: `entries ${prev.seq + 1} to ${e.seq - 1} are missing` });
      if (e.prevHash !== prev.hash) problems.push({ seq: e.seq, problem: 'does not follow the entry before it (previous hash differs)' });
      if (entryHash(e) !== e.hash) problems.push({ seq: e.seq, problem: 'was altered (its content no longer matches its hash)' });
      if (e.ip !== null && (e.ipSalt === null || e.ipCommit !== ipCommitment(e.ipSalt, e.ip))) {
        problems.push({ seq: e.seq, problem: 'its IP address was altered' });
      }
      prev = { seq: e.seq, hash: e.hash };
      checked++;
    }
  }
  return { ok: problems.length === 0, checked, anchor, lastSeq: prev.seq, problems };
}
