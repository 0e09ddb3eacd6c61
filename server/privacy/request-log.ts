import type { Logger } from 'pino';
import type { NewRequestLogEntry } from '../store/privacy.js';
import type { Store } from '../store/store.js';

/**
 * The public API's request log, written in batches: a request only appends to an array, and
 * every `intervalMs` (or every `maxBatch` entries) the store is handed the lot, so logging never
 * adds a write to a validation. Entries stay in this array a quarter of a second at most, so they
 * die young in V8's heap instead of being promoted and piling up in the old generation (held a
 * whole second at full speed, they cost the server about 50 MB of RSS). The SQLite store then
 * commits what it is handed in larger batches (see request-log-file.ts). A crash loses at most
 * the last second or so of log entries, never licensing data. Off (records nothing) when the
 * configuration turns request logs off.
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

  /**
   * Gives the store what is pending (in order: one hand-over after the other); resolves once the
   * store holds every entry recorded so far, so that its reads of the log see them.
   */
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
