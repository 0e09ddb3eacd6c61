import type { Activation, LedgerEntry, License } from '../domain/types.js';

/**
 * What the privacy engine keeps and asks of a store: the public API's request log, the
 * hash-chained audit log, data-subject requests, and the searches, erasures and purges that
 * data-subject rights and retention need. Every store implements it, and the one conformance
 * suite checks it (test/store/privacy-conformance.ts).
 */

export type RequestAction = 'validate' | 'activate' | 'deactivate' | 'consume';

/** One public license API request. Never the key: the license it found, if any. */
export interface RequestLogEntry {
  /** Assigned by the store, increasing: the newest entry has the highest. */
  seq: number;
  at: number;
  accountId: string | null;
  licenseId: string | null;
  action: RequestAction;
  /** The outcome: a validation code (`VALID`, `EXPIRED`...), `OK`, or an error code. */
  code: string;
  status: number;
  /** The client IP; anonymised (IPv4 /24, IPv6 /64) once its retention period has passed. */
  ip: string | null;
  domain: string | null;
  device: string | null;
  /** Tokens taken by a successful consume. */
  tokens: number | null;
  latencyMs: number;
}

export type NewRequestLogEntry = Omit<RequestLogEntry, 'seq'>;

export interface RequestLogQuery {
  accountId: string | null;
  licenseId?: string | undefined;
  action?: RequestAction | undefined;
  code?: string | undefined;
  ip?: string | undefined;
  from?: number | undefined;
  /** Exclusive. */
  to?: number | undefined;
  limit: number;
  /** The `seq` of the last entry of the previous page: newest first, so the next page is older. */
  before?: number | undefined;
}

export interface AuditEntry {
  seq: number;
  at: number;
  accountId: string | null;
  /** The acting token's id, or `cli` for the command line. */
  actor: string;
  action: string;
  /** An id (`lic_...`, `acc_...`, `dsr_...`), never personal data itself. */
  target: string | null;
  /** The actor's IP, removable: the chain covers `ipCommit` = SHA-256(salt | ip), not the IP. */
  ip: string | null;
  ipSalt: string | null;
  ipCommit: string | null;
  /** Non-personal details (field names, counts, scopes). */
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;

export interface AuditQuery {
  accountId?: string | null | undefined;
  actor?: string | undefined;
  ip?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  /** Ascending: entries after this seq. */
  afterSeq?: number | undefined;
  limit: number;
}

/** Where the chain starts: the genesis, or the last entry removed by retention. */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

export const AUDIT_GENESIS: AuditAnchor = { seq: 0, hash: '0'.repeat(64) };

export type SubjectKind = 'email' | 'ip' | 'domain' | 'device';
export interface Subject {
  kind: SubjectKind;
  /** Normalised: a lower-case email, a canonical IP, a normalised host, a lower-case UUID. */
  value: string;
}

export type SubjectRequestKind = 'access' | 'export' | 'rectify' | 'erase';

/** A data-subject request as the processor records it for its controller. */
export interface SubjectRequest {
  id: string;
  accountId: string;
  kind: SubjectRequestKind;
  subjectKind: SubjectKind;
  /** HMAC of the subject's value: links the request to the subject without holding it. */
  subjectDigest: string;
  /** The value itself, encrypted; wiped when the subject is erased. */
  subjectEncrypted: string | null;
  receivedAt: number;
  dueAt: number;
  instruction: string | null;
  status: 'open' | 'completed';
  completedAt: number | null;
  artefact: Record<string, unknown> | null;
  createdAt: number;
}

export interface SubjectRequestQuery {
  accountId: string;
  status?: 'open' | 'completed' | undefined;
  /** Only open requests due before this time. */
  dueBefore?: number | undefined;
  limit: number;
  /** Id of the last request of the previous page: requests come in id order, which is the order they were recorded. */
  after?: string | undefined;
}

/** Everything a store holds about one data subject. */
export interface SubjectRecords {
  licenses: License[];
  activations: Activation[];
  ledger: LedgerEntry[];
  requests: RequestLogEntry[];
  audit: AuditEntry[];
  subjectRequests: SubjectRequest[];
}

export interface ErasureCounts {
  licenses: number;
  activations: number;
  ledger: number;
  requests: number;
  /** Audit entries kept, with the subject's IP removed from them. */
  auditRedacted: number;
  /** Data-subject request records kept, with the encrypted subject wiped. */
  subjectRequestsRedacted: number;
}

/** Retention cut-offs (epoch ms): data older than each is purged; undefined keeps that class. */
export interface PurgeCutoffs {
  requestLogBefore?: number | undefined;
  ipBefore?: number | undefined;
  auditBefore?: number | undefined;
  deactivatedBefore?: number | undefined;
  expiredBefore?: number | undefined;
}

export interface PurgeCounts {
  requests: number;
  ipsAnonymised: number;
  audit: number;
  activations: number;
  licenses: number;
}

export interface PrivacyStore {
  /**
   * Records request-log entries. A store may hold them back for a moment to write them with
   * others in one commit, but its own reads, changes, dumps and backups of the log always see
   * every entry appended before them.
   */
  appendRequests(entries: readonly NewRequestLogEntry[]): Promise<void>;
  /** Newest first. */
  listRequests(query: RequestLogQuery): Promise<RequestLogEntry[]>;
  /** Requests per action and outcome code for a license. */
  requestCounts(accountId: string, licenseId: string): Promise<Array<{ action: RequestAction; code: string; count: number }>>;

  /**
   * Appends an entry to the chain, atomically with reading the chain's head (no two processes
   * can take the same seq): `seal` gets the previous hash and the new seq and returns the hash.
   */
  appendAudit(entry: NewAuditEntry, seal: (prevHash: string, seq: number) => string): Promise<AuditEntry>;
  /** Ascending by seq. */
  listAudit(query: AuditQuery): Promise<AuditEntry[]>;
  auditAnchor(): Promise<AuditAnchor>;

  createSubjectRequest(request: SubjectRequest): Promise<void>;
  getSubjectRequest(accountId: string, id: string): Promise<SubjectRequest | null>;
  listSubjectRequests(query: SubjectRequestQuery): Promise<SubjectRequest[]>;
  completeSubjectRequest(accountId: string, id: string, now: number, artefact: Record<string, unknown>): Promise<SubjectRequest | null>;

  /**
   * Everything about the subject, in one account or (null) in all. `digest` is the subject's
   * HMAC, which finds its data-subject request records.
   */
  findSubject(accountId: string | null, subject: Subject, digest: string): Promise<SubjectRecords>;
  /**
   * Erases the subject in one transaction (SQLite keeps its request log in a file of its own,
   * erased in a transaction of its own just before): licenses issued to an email (with their activations,
   * ledger and request log), activations and request-log rows naming an IP, domain or device;
   * redacts the IP from audit entries and wipes the subject from request records. Then makes
   * sure the erased bytes do not linger in the store's files (free pages, WAL, backups).
   */
  eraseSubject(accountId: string | null, subject: Subject, digest: string, now: number): Promise<ErasureCounts>;
  /** Changes the licensee email and/or name of the licenses issued to an email. */
  rectifySubject(accountId: string | null, email: string, change: { email?: string | undefined; name?: string | undefined }, now: number): Promise<number>;

  /**
   * One batch of retention work per data class (at most `batch` rows each); the caller repeats
   * until every count is 0, yielding to the API between batches. `anonymise` maps an IP to its
   * anonymised form.
   */
  purge(cutoffs: PurgeCutoffs, batch: number, anonymise: (ip: string) => string): Promise<PurgeCounts>;

  /** Blocks (or restores) the account's admin API tokens, for breach response. */
  setAccountApiSuspended(accountId: string, suspendedAt: number | null): Promise<boolean>;
}
