import type { Store } from '../store/store.js';

/**
 * Coalesces "this activation was just seen" marks and writes them in one batch every few
 * seconds, so a validation never pays for a write. A crash loses at most one interval of
 * last-seen times, never anything else.
 */
export class LastSeenBuffer {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly intervalMs = 5000,
  ) {}

  mark(activationId: string): void {
    this.pending.add(activationId);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const ids = [...this.pending];
    this.pending = new Set();
    await this.store.touchActivations(ids, this.now());
  }
}
