import type { UndoLog } from './table.js';

interface Job {
  fn: (log: UndoLog) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

function rollback(log: UndoLog): void {
  for (let i = log.length - 1; i >= 0; i--) log[i]!();
}

/**
 * Serialised changes with group commit. The changes that arrive in the same turn of the event
 * loop (or while the previous write is under way) are applied to memory one after another, then
 * written to the file in one write; every caller's promise settles after that write, so nothing
 * is acknowledged before it is on disk. Each change records its inverse operations: one that
 * throws is undone alone, and if the write fails the whole batch is undone, so memory never
 * holds what the file does not. Only one write is ever under way, and a change runs only when
 * no write is, so limits checked inside a change hold whatever runs concurrently.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  private writing = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly persist: () => Promise<void>) {}

  run<T>(fn: (log: UndoLog) => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the JSON store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Refuses new changes and resolves once the queued ones are written. */
  close(): Promise<void> {
    this.closed = true;
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private idle(): boolean {
    return !this.scheduled && !this.writing && this.queue.length === 0;
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    this.writing = true;
    const logs: UndoLog[] = [];
    const outcomes = batch.map((job) => {
      const log: UndoLog = [];
      try {
        const value = job.fn(log);
        logs.push(log);
        return { ok: true, value };
      } catch (err) {
        rollback(log);
        return { ok: false, value: err };
      }
    });
    let failure: unknown = null;
    if (logs.some((log) => log.length > 0)) {
      try {
        await this.persist();
      } catch (err) {
        for (let i = logs.length - 1; i >= 0; i--) rollback(logs[i]!);
        failure = err;
      }
    }
    this.writing = false;
    if (this.queue.length > 0) this.schedule();
    else for (const wake of this.idleWaiters.splice(0)) wake();
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (failure !== null) job.reject(failure);
      else if (o.ok) job.resolve(o.value);
      else job.reject(o.value);
    });
  }
}
