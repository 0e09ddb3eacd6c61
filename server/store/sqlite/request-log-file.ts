import { existsSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { startSqliteThread, stopSqliteThread } from './thread.js';

/**
 * The public API's request log lives in a database file of its own beside the store
 * (`batchkeys.db` → `batchkeys-requests.db`). Appends come many times a second; in their own file
 * a worker thread's connection writes them without ever holding the write lock that consumes and
 * activations need, and without stalling the event loop. The store reads, erases, purges and
 * dumps the log through a second connection of its own (not an ATTACH: a write transaction on an
 * attached connection locks every attached file, which would make consumes wait for log writes).
 */
export function requestLogFile(file: string): string {
  if (file === ':memory:') return ':memory:';
  return /\.db$/i.test(file) ? file.replace(/\.db$/i, '-requests.db') : `${file}-requests`;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS request_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    account_id TEXT,
    license_id TEXT,
    action TEXT NOT NULL,
    code TEXT NOT NULL,
    status INTEGER NOT NULL,
    ip TEXT,
    ip_anonymised INTEGER NOT NULL DEFAULT 0,
    domain TEXT,
    device TEXT,
    tokens INTEGER,
    latency_ms REAL NOT NULL
  );
  -- A license's entries, through the last eight characters of its id (40 random bits: see
  -- licenseRequestsSql). This index took the place of one on (license_id, seq), whose entries
  -- were three times as large: every logged request lands at a random place in it, and the
  -- writer thread's CPU went down by 15%, which the event loop gets back on a busy machine.
  DROP INDEX IF EXISTS request_log_license;
  CREATE INDEX IF NOT EXISTS request_log_license_tail ON request_log (substr(license_id, -8));
  CREATE INDEX IF NOT EXISTS request_log_at ON request_log (at);
  -- The entries whose IP the retention purge has still to anonymise, oldest first: without it
  -- each purge pass read the whole log (100 ms a pass for 3M entries, on the event loop).
  CREATE INDEX IF NOT EXISTS request_log_ip_pending ON request_log (at) WHERE ip IS NOT NULL AND ip_anonymised = 0;
`;

/** Opens the request log beside a store file, creating it when needed (or an empty one in memory for a read-only source without one). */
export function openRequestLog(storeFile: string, readonly: boolean): Database.Database {
  const target = requestLogFile(storeFile);
  if (readonly && (target === ':memory:' || !existsSync(target))) {
    const db = new Database(':memory:');
    db.exec(SCHEMA);
    return db;
  }
  if (readonly) return new Database(target, { readonly: true, fileMustExist: true });
  const db = new Database(target);
  if (target !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

/**
 * The condition that finds the entries of `n` licenses through request_log_license_tail, and its
 * parameters: the ids twice (SQLite uses an expression index only for the very same expression;
 * the whole id is then compared on each entry the index finds).
 */
export function licenseRequestsSql(ids: readonly string[]): { sql: string; params: string[] } {
  const list = (item: string) => ids.map(() => item).join(', ');
  return {
    sql: `substr(license_id, -8) IN (${list('substr(?, -8)')}) AND license_id IN (${list('?')})`,
    params: [...ids, ...ids],
  };
}

export const INSERT_REQUEST = `INSERT INTO request_log (at, account_id, license_id, action, code, status, ip, domain, device,
  tokens, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

// The writer thread: its own connection to the request-log file. Batches arrive as JSON text
// (one string a batch, not thousands of small objects to clone) and are acknowledged at once;
// they are inserted and committed together once `commitRows` rows or `commitMs` have gathered,
// or when asked ({ commit: true }). Each log row lands at a random place in the per-license
// index and a commit writes every index page it touched, so large commits cost far less per
// row (about half, from 2,000 rows to 20,000).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('secure_delete = ON');
db.pragma('busy_timeout = 10000');
const insert = db.prepare(workerData.insert);
const insertAll = db.transaction((batches) => { for (const json of batches) for (const r of JSON.parse(json)) insert.run(r); });
let gathered = [];
let rows = 0;
let timer = null;
const commit = () => {
  if (timer) { clearTimeout(timer); timer = null; }
  if (gathered.length === 0) return;
  const batches = gathered;
  gathered = [];
  rows = 0;
  insertAll(batches);
};
const commitQuietly = () => {
  try { commit(); } catch (err) { parentPort.postMessage({ error: String(err && err.message) }); }
};
parentPort.on('message', (m) => {
  if (m === 'stop') { commitQuietly(); db.close(); parentPort.postMessage({ stopped: true }); return; }
  if (m.commit) {
    try { commit(); parentPort.postMessage({ id: m.id }); }
    catch (err) { parentPort.postMessage({ id: m.id, error: String(err && err.message) }); }
    return;
  }
  gathered.push(m.json);
  rows += m.count;
  parentPort.postMessage({ id: m.id });
  if (rows >= workerData.commitRows) commitQuietly();
  else if (!timer) timer = setTimeout(commitQuietly, workerData.commitMs);
});
`;

/** The writer thread commits once this many rows or this long have gathered (see above). */
const COMMIT_ROWS = 20_000;
const COMMIT_MS = 1000;

/**
 * Appends request-log rows from a worker thread. `append` resolves once the thread holds the
 * rows, `commit` once everything appended before it is committed; a failed background commit
 * goes to `onError` (the rows of that commit are lost: the log is best effort, licensing data
 * never depends on it).
 */
export class RequestLogWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private stopping: Promise<void> | null = null;

  constructor(storeFile: string, onError: (message: string) => void) {
    this.worker = startSqliteThread(WORKER_SOURCE, {
      file: requestLogFile(storeFile), insert: INSERT_REQUEST, commitRows: COMMIT_ROWS, commitMs: COMMIT_MS,
    });
    this.worker.on('message', (m: { id?: number; error?: string }) => {
      if (m.id === undefined) {
        if (m.error) onError(`request log write failed: ${m.error}`);
        return;
      }
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) w?.reject(new Error(`request log write failed: ${m.error}`));
      else w?.resolve();
    });
    this.worker.on('error', (err) => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    });
  }

  append(rows: unknown[][]): Promise<void> {
    return this.send({ json: JSON.stringify(rows), count: rows.length });
  }

  commit(): Promise<void> {
    return this.send({ commit: true });
  }

  private send(message: Record<string, unknown>): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  stop(): Promise<void> {
    this.stopping ??= stopSqliteThread(this.worker);
    return this.stopping;
  }
}
