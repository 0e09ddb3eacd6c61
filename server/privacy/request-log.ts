import type { Logger } from 'pino';
import type { NewRequestLogEntry } from '../store/privacy.js';
import type { Store } from '../store/store.js';

/**
 * The public API's request log, written in batches: a request only appends to an array, and
 * one store write every `intervalMs` (or every `maxBatch` entries) records them all, so logging
 * never adds a write to a validation. A crash loses at most one interval of log entries, never
 * licensing data. Off (records nothing) when the configuration turns request logs off.
 */
export class RequestLog {
  private pending: NewRequestLogEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    readonly enabled: boolean,
    private readonly intervalMs = 250,
    private readonly maxBatch = 2000,
  ) {}

  record(entry: NewRequestLogEntry): void {
    if (!this.enabled) return;
    this.pending.push(entry);
    if (this.pending.length >= this.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is pending; resolves when every entry recorded so far is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) {
      this.flushing = this.flushing.then(() => this.store.appendRequests(batch)).catch((err: unknown) => {
        this.logger.error({ err, entries: batch.length }, 'request log write failed');
      });
    }
    return this.flushing;
  }
}
