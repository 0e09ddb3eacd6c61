import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';

export const RATE_WINDOW_MS = 60_000;
/** Slot counters must outlive two slots, and never refuse by themselves. */
export const COUNTER_DURATION_S = (2 * RATE_WINDOW_MS) / 1000;
export const COUNTER_POINTS = Number.MAX_SAFE_INTEGER;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the current counting slot rolls over. */
  resetSeconds: number;
  /** Seconds to wait before a retry can succeed, when refused. */
  retryAfterSeconds: number;
}

/**
 * A sliding-window counter: "at most `limit` requests in any 60 seconds", estimated from the
 * counts of the current and the previous 60-second slot, the previous one weighted by how much
 * of it still lies inside the window. So a client cannot double its allowance at a slot
 * boundary, as it could with a fixed window. rate-limiter-flexible keeps the per-slot counters,
 * so the same code works with its shared (PostgreSQL) backends. Refused requests are not counted.
 */
export class SlidingWindowLimiter {
  private readonly counters: RateLimiterAbstract;

  constructor(
    readonly limit: number,
    readonly name: string,
    counters?: RateLimiterAbstract,
  ) {
    this.counters = counters ?? new RateLimiterMemory({ keyPrefix: name, points: COUNTER_POINTS, duration: COUNTER_DURATION_S });
  }

  async hit(id: string, now = Date.now()): Promise<RateDecision> {
    const slot = Math.floor(now / RATE_WINDOW_MS);
    const elapsed = now - slot * RATE_WINDOW_MS;
    const weight = 1 - elapsed / RATE_WINDOW_MS;
    const [res, prevRes] = await Promise.all([
      this.counters.consume(`${id}:${slot}`, 1),
      this.counters.get(`${id}:${slot - 1}`),
    ]);
    const current = res.consumedPoints;
    const previous = prevRes?.consumedPoints ?? 0;
    const estimate = previous * weight + current;
    const resetSeconds = Math.max(1, Math.ceil((RATE_WINDOW_MS - elapsed) / 1000));
    if (estimate <= this.limit) {
      return { allowed: true, limit: this.limit, remaining: Math.max(0, Math.floor(this.limit - estimate)), resetSeconds, retryAfterSeconds: 0 };
    }
    await this.counters.reward(`${id}:${slot}`, 1);
    return {
      allowed: false, limit: this.limit, remaining: 0, resetSeconds,
      retryAfterSeconds: this.retryAfter(previous, current - 1, elapsed),
    };
  }

  /** Milliseconds until one more request fits, turned into whole seconds (at least 1). */
  private retryAfter(previous: number, current: number, elapsed: number): number {
    const W = RATE_WINDOW_MS;
    let waitMs: number;
    if (current + 1 > this.limit) {
      // Only the next slot helps: there, `current` becomes the previous count and decays.
      waitMs = W - elapsed + W * Math.max(0, 1 - (this.limit - 1) / Math.max(current, 1));
    } else {
      // The previous slot's share must decay until it leaves room for one more request.
      waitMs = W * (1 - (this.limit - 1 - current) / Math.max(previous, 1)) - elapsed;
    }
    return Math.max(1, Math.ceil(waitMs / 1000));
  }
}
