import { appendFile, readFile } from 'node:fs/promises';
import { TextFile } from 'lowdb/node';
import type { RequestLogEntry } from '../privacy.js';
import { checkRecord } from './schema.js';

/** `batchkeys.json` → `batchkeys-requests.ndjson`. */
export function requestLogPath(storeFile: string): string {
  return /\.json$/i.test(storeFile) ? storeFile.replace(/\.json$/i, '-requests.ndjson') : `${storeFile}-requests.ndjson`;
}

/**
 * The JSON store's request log, one JSON object a line in a file of its own. Requests are logged
 * many times a second and the store file is rewritten whole on every change: kept in the store
 * file, each batch of log lines would rewrite everything (and the file would grow with the log).
 * Here a batch is appended; only what changes logged rows (erasure, purge, restore) rewrites
 * this file, atomically. Appends and rewrites run one after another, in call order.
 */
export class JsonRequestLog {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  /** The logged rows, in file order; a line that is not a request-log row stops the store with its line number. */
  async load(): Promise<RequestLogEntry[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const rows: RequestLogEntry[] = [];
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        rows.push(checkRecord('requests', JSON.parse(line) as RequestLogEntry));
      } catch (err) {
        throw new Error(`the request log ${this.file} cannot be read: line ${i + 1}: ${(err as Error).message}. `
          + 'Fix or remove that line; the store itself is not affected.');
      }
    });
    return rows;
  }

  append(rows: readonly RequestLogEntry[]): Promise<void> {
    const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
    return this.enqueue(() => appendFile(this.file, text, { mode: 0o600 }));
  }

  /** Replaces the file with these rows (read when the rewrite's turn comes). */
  rewrite(rows: () => Iterable<RequestLogEntry>): Promise<void> {
    return this.enqueue(() => {
      const lines: string[] = [];
      for (const r of rows()) lines.push(JSON.stringify(r));
      return new TextFile(this.file).write(lines.length ? `${lines.join('\n')}\n` : '');
    });
  }

  /** Resolves once every append and rewrite asked for so far is on disk. */
  settled(): Promise<void> {
    return this.enqueue(async () => {});
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }
}
