import { describe, expect, it } from 'vitest';
import { RATE_WINDOW_MS, SlidingWindowLimiter } from '../../server/http/ratelimit.js';

// Far from the real clock's slots, so the limiter's own counter expiry never interferes.
const SLOT = Math.floor(Date.now() / RATE_WINDOW_MS) * RATE_WINDOW_MS;

describe('SlidingWindowLimiter', () => {
  it('allows the limit and refuses the next request with a retry delay', async () => {
    const l = new SlidingWindowLimiter(5, 'a');
    for (let i = 0; i < 5; i++) {
      const d = await l.hit('ip', SLOT + 1000);
      expect(d.allowed).toBe(true);
      expect(d.remaining).toBe(4 - i);
    }
    const refused = await l.hit('ip', SLOT + 1000);
    expect(refused.allowed).toBe(false);
    expect(refused.remaining).toBe(0);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(120);
  });

  it('does not double the allowance across a slot boundary, unlike a fixed window', async () => {
    const l = new SlidingWindowLimiter(5, 'b');
    for (let i = 0; i < 5; i++) expect((await l.hit('ip', SLOT + 59_000)).allowed).toBe(true);
    // Two seconds later a fixed window would be empty; the last 60 s still hold 5 requests.
    expect((await l.hit('ip', SLOT + RATE_WINDOW_MS + 1000)).allowed).toBe(false);
    // Once the earlier requests have mostly slid out of the window, requests pass again.
    expect((await l.hit('ip', SLOT + RATE_WINDOW_MS + 50_000)).allowed).toBe(true);
  });

  it('counts each client separately and does not count refused requests', async () => {
    const l = new SlidingWindowLimiter(2, 'c');
    expect((await l.hit('x', SLOT + 10)).allowed).toBe(true);
    expect((await l.hit('x', SLOT + 10)).allowed).toBe(true);
    for (let i = 0; i < 10; i++) expect((await l.hit('x', SLOT + 20)).allowed).toBe(false);
    expect((await l.hit('y', SLOT + 20)).allowed).toBe(true);
    // Refusals were not counted: the next slot carries only the 2 allowed requests.
    expect((await l.hit('x', SLOT + 2 * RATE_WINDOW_MS - 10)).allowed).toBe(true);
  });

  it('gives a Retry-After after which a request is allowed', async () => {
    const l = new SlidingWindowLimiter(3, 'd');
    const t0 = SLOT + 30_000;
    for (let i = 0; i < 3; i++) await l.hit('ip', t0);
    const refused = await l.hit('ip', t0);
    expect(refused.allowed).toBe(false);
    const retryAt = t0 + refused.retryAfterSeconds * 1000;
    expect((await l.hit('ip', retryAt - 2000)).allowed).toBe(false);
    expect((await l.hit('ip', retryAt)).allowed).toBe(true);
  });
});
