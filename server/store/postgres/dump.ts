import type { Pool, PoolClient } from 'pg';
import { DUMP_KINDS, type DumpKind, type DumpRecord } from '../dump.js';
import { DUMP_QUERIES, DUMP_TABLES, toRecord } from '../sql/dump-records.js';
import {
  AUDIT_ANCHOR_KEY, AUDIT_COLUMNS, LICENSE_INSERT_COLUMNS, LICENSE_INSERT_TYPES, REQUEST_COLUMNS, SUBJECT_REQUEST_COLUMNS,
  auditValues, licenseValues, requestValues, subjectRequestValues, type Row,
} from '../sql/rows.js';

/** SQL types of REQUEST_COLUMNS, in order (seq first), for `unnest` of whole columns. */
export const REQUEST_TYPES = ['bigint', 'bigint', 'text', 'text', 'text', 'text', 'integer', 'text', 'text', 'text', 'bigint', 'float8'] as const;

/** Rows per FETCH while dumping, and per INSERT while restoring. */
const BATCH = 1000;

/**
 * Every record from one REPEATABLE READ snapshot, so the dump is consistent while servers keep
 * writing; read through a cursor, so a million licenses never sit in memory at once.
 */
export async function* dumpPostgres(pool: Pool): AsyncGenerator<DumpRecord> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const kind of DUMP_KINDS) {
      await client.query(`DECLARE bk_dump NO SCROLL CURSOR FOR ${DUMP_QUERIES[kind]}`);
      for (;;) {
        const { rows } = await client.query<Row>(`FETCH ${BATCH} FROM bk_dump`);
        for (const r of rows) yield toRecord(kind, r);
        if (rows.length < BATCH) break;
      }
      await client.query('CLOSE bk_dump');
    }
  } finally {
    // Also reached when the reader stops early: the snapshot is only read, so ending it is enough.
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}

/** Aliases are quoted: unquoted, PostgreSQL would fold `auditAnchor` to `auditanchor`. */
export async function countPostgres(db: Pool | PoolClient): Promise<Record<DumpKind, number>> {
  const { rows } = await db.query<Row>(`SELECT ${DUMP_KINDS.map((k) => `(SELECT count(*) FROM ${DUMP_TABLES[k]}) AS "${k}"`).join(', ')}`);
  return Object.fromEntries(DUMP_KINDS.map((k) => [k, Number(rows[0]![k])])) as Record<DumpKind, number>;
}

/** For each kind: its columns with their SQL types, and a record's values in that order. */
interface Shape { columns: readonly string[]; types: readonly string[]; values: (r: DumpRecord) => unknown[] }
const shape = (columns: string, types: string, values: Shape['values']): Shape => ({ columns: columns.split(' '), types: types.split(' '), values });

const shapes: Record<DumpKind, Shape> = {
  account: shape('id name status operator api_suspended_at created_at updated_at', 'text text text boolean bigint bigint bigint', (r) => {
    const a = (r as Extract<DumpRecord, { kind: 'account' }>).value;
    return [a.id, a.name, a.status, a.operator, a.apiSuspendedAt, a.createdAt, a.updatedAt];
  }),
  token: shape('id account_id name scopes hash created_at last_used_at revoked_at', 'text text text text text bigint bigint bigint', (r) => {
    const t = (r as Extract<DumpRecord, { kind: 'token' }>).value;
    return [t.id, t.accountId, t.name, JSON.stringify(t.scopes), t.hash, t.createdAt, t.lastUsedAt, t.revokedAt];
  }),
  product: shape('id account_id name slug key_prefix metadata created_at updated_at', 'text text text text text text bigint bigint', (r) => {
    const p = (r as Extract<DumpRecord, { kind: 'product' }>).value;
    return [p.id, p.accountId, p.name, p.slug, p.keyPrefix, JSON.stringify(p.metadata), p.createdAt, p.updatedAt];
  }),
  policy: shape('id account_id product_id name duration_days lock max_activations tokens created_at updated_at',
    'text text text text integer text integer bigint bigint bigint', (r) => {
      const p = (r as Extract<DumpRecord, { kind: 'policy' }>).value;
      return [p.id, p.accountId, p.productId, p.name, p.durationDays, p.lock, p.maxActivations, p.tokens, p.createdAt, p.updatedAt];
    }),
  license: { columns: LICENSE_INSERT_COLUMNS, types: LICENSE_INSERT_TYPES, values: (r) => licenseValues((r as Extract<DumpRecord, { kind: 'license' }>).value) },
  activation: shape('id license_id domain device label development created_at last_seen_at deactivated_at',
    'text text text text text boolean bigint bigint bigint', (r) => {
      const a = (r as Extract<DumpRecord, { kind: 'activation' }>).value;
      return [a.id, a.licenseId, a.domain, a.device, a.label, a.development, a.createdAt, a.lastSeenAt, a.deactivatedAt];
    }),
  ledger: shape('license_id id delta reason idempotency_key created_at', 'text text bigint text text bigint', (r) => {
    const e = (r as Extract<DumpRecord, { kind: 'ledger' }>).value;
    return [e.licenseId, e.id, e.delta, e.reason, e.idempotencyKey, e.createdAt];
  }),
  idempotency: shape('license_id key amount status body created_at', 'text text bigint integer bytea bigint', (r) => {
    const i = (r as Extract<DumpRecord, { kind: 'idempotency' }>).value;
    return [i.licenseId, i.key, i.amount, i.status, Buffer.from(i.body, 'base64'), i.createdAt];
  }),
  // Dumped seqs are kept: the audit chain seals them, and request pages are cursored by them.
  request: {
    columns: REQUEST_COLUMNS, types: REQUEST_TYPES,
    values: (r) => {
      const e = (r as Extract<DumpRecord, { kind: 'request' }>).value;
      return [e.seq, ...requestValues(e)];
    },
  },
  audit: {
    columns: AUDIT_COLUMNS, types: 'bigint bigint text text text text text text text text text text'.split(' '),
    values: (r) => auditValues((r as Extract<DumpRecord, { kind: 'audit' }>).value),
  },
  auditAnchor: shape('key value', 'text text', (r) => {
    const a = (r as Extract<DumpRecord, { kind: 'auditAnchor' }>).value;
    return [AUDIT_ANCHOR_KEY, JSON.stringify({ seq: a.seq, hash: a.hash })];
  }),
  subjectRequest: {
    columns: SUBJECT_REQUEST_COLUMNS, types: 'text text text text text text bigint bigint text text bigint text bigint'.split(' '),
    values: (r) => subjectRequestValues((r as Extract<DumpRecord, { kind: 'subjectRequest' }>).value),
  },
};

/** Inserts records of one kind with one statement, a whole column per parameter. */
async function insertBatch(client: PoolClient, kind: DumpKind, batch: readonly DumpRecord[]): Promise<void> {
  const { columns, types, values } = shapes[kind];
  const arrays = columns.map(() => [] as unknown[]);
  for (const r of batch) values(r).forEach((v, i) => arrays[i]!.push(v));
  await client.query({
    name: `bk_restore_${kind}`,
    text: `INSERT INTO ${DUMP_TABLES[kind]} (${columns.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`,
    values: arrays,
  });
}

/** Loads a dump into an empty database in one transaction: all or nothing. */
export async function restorePostgres(pool: Pool, records: AsyncIterable<DumpRecord>, onRecord?: (n: number) => void): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let n = 0;
  let kind: DumpKind | null = null;
  let batch: DumpRecord[] = [];
  const flush = async () => {
    if (kind && batch.length > 0) await insertBatch(client, kind, batch);
    for (let i = 0; i < batch.length; i++) {
      n++;
      onRecord?.(n);
    }
    batch = [];
  };
  try {
    await client.query('BEGIN');
    if (Object.values(await countPostgres(client)).some((c) => c > 0)) {
      throw new Error('the target store is not empty: restore and migrate only fill an empty store');
    }
    for await (const rec of records) {
      // A batch holds one kind; dumps list kinds in dependency order, so foreign keys hold.
      if (rec.kind !== kind || batch.length >= BATCH) {
        await flush();
        kind = rec.kind;
      }
      batch.push(rec);
    }
    await flush();
    // The restored rows took their seqs from the dump, not from the identity sequence: move it
    // past them, or the next logged request would collide with a restored one.
    await client.query(`SELECT setval(pg_get_serial_sequence('request_log', 'seq'), coalesce(max(seq), 0) + 1, false) FROM request_log`);
    await client.query('COMMIT');
    return n;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: unknown) => { broken = e as Error; });
    throw err;
  } finally {
    client.release(broken);
  }
}
