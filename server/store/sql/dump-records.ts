import type { DumpKind, DumpRecord } from '../dump.js';
import {
  AUDIT_ANCHOR_KEY, LICENSE_COLUMNS, LICENSE_FROM, toAccount, toActivation, toAnchor, toAudit, toLedger, toLicense, toPolicy, toProduct,
  toRequest, toSubjectRequest, toToken, type Row,
} from './rows.js';

/** What a dump reads from each table of a SQL store, and how a row becomes a dump record. */
export const DUMP_QUERIES: Record<DumpKind, string> = {
  account: 'SELECT * FROM accounts ORDER BY id',
  token: 'SELECT * FROM api_tokens ORDER BY id',
  product: 'SELECT * FROM products ORDER BY id',
  policy: 'SELECT * FROM policies ORDER BY id',
  license: `SELECT ${LICENSE_COLUMNS} FROM ${LICENSE_FROM} ORDER BY l.id`,
  activation: 'SELECT * FROM activations ORDER BY id',
  ledger: 'SELECT * FROM token_ledger ORDER BY license_id, id',
  idempotency: 'SELECT * FROM idempotency ORDER BY license_id, key',
  request: 'SELECT * FROM request_log ORDER BY seq',
  audit: 'SELECT * FROM audit_log ORDER BY seq',
  auditAnchor: `SELECT value FROM privacy_meta WHERE key = '${AUDIT_ANCHOR_KEY}'`,
  subjectRequest: 'SELECT * FROM subject_requests ORDER BY id',
};

export const DUMP_TABLES: Record<DumpKind, string> = {
  account: 'accounts', token: 'api_tokens', product: 'products', policy: 'policies', license: 'licenses',
  activation: 'activations', ledger: 'token_ledger', idempotency: 'idempotency',
  request: 'request_log', audit: 'audit_log', auditAnchor: 'privacy_meta', subjectRequest: 'subject_requests',
};

export function toRecord(kind: DumpKind, r: Row): DumpRecord {
  switch (kind) {
    case 'account': return { kind, value: toAccount(r) };
    case 'token': return { kind, value: toToken(r) };
    case 'product': return { kind, value: toProduct(r) };
    case 'policy': return { kind, value: toPolicy(r) };
    case 'license': return { kind, value: toLicense(r) };
    case 'activation': return { kind, value: toActivation(r) };
    case 'ledger': return { kind, value: toLedger(r) };
    case 'idempotency':
      return {
        kind,
        value: {
          licenseId: String(r.license_id), key: String(r.key), amount: Number(r.amount), status: Number(r.status),
          body: (r.body as Buffer).toString('base64'), createdAt: Number(r.created_at),
        },
      };
    case 'request': return { kind, value: toRequest(r) };
    case 'audit': return { kind, value: toAudit(r) };
    case 'auditAnchor': return { kind, value: toAnchor(r.value)! };
    case 'subjectRequest': return { kind, value: toSubjectRequest(r) };
  }
}

