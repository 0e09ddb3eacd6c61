// Load generation (autocannon, in this process) and read-back of license state after the load.
/* global fetch, AbortSignal -- Node 20 globals the shared ESLint config does not list */
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';

const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** Request bodies, fresh for every request so that nothing can be answered from a cache. */
export const bodies = {
  validate: (pools) => () => ({ key: pick(pools.validate), nonce: randomUUID() }),
  consume: (pools) => () => ({ key: pick(pools.consume), amount: 1 }),
  activate: (pools) => () => ({ key: pick(pools.activate), domain: `site-${randomUUID().slice(0, 18)}.com` }),
};

/**
 * One autocannon run of POST `path`, for `duration` seconds or, when given, exactly `amount`
 * requests. Only a run by amount ends with every request answered: a run by time cuts its
 * connections with one request each still on the wire, which the server may or may not have
 * executed; `unanswered` counts them.
 */
export async function load({ url, path, connections, duration, amount, makeBody }) {
  let sent = 0;
  const result = await autocannon({
    url,
    connections,
    ...(amount ? { amount } : { duration }),
    requests: [{
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      // Called once for each request written (the first on each connection included).
      setupRequest: (req) => { sent++; return { ...req, body: JSON.stringify(makeBody()) }; },
    }],
  });
  const byStatus = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) byStatus[status] = count;
  const answered = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const ok = Object.entries(byStatus).filter(([s]) => s.startsWith('2')).reduce((a, [, n]) => a + n, 0);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: result.duration,
    answered,
    ok,
    byStatus,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    unanswered: Math.max(0, sent - answered),
  };
}

/**
 * Sums read(license) over `keys`, reading each license back with the public validate call
 * (no dependency on the store's schema). Bounded: one pass over `keys`, 10 s per request.
 */
export async function sumOver(baseUrl, keys, read, concurrency = 16) {
  let sum = 0;
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      const res = await fetch(`${baseUrl}/v1/licenses/validate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key }),
        signal: AbortSignal.timeout(10000),
      });
      const text = await res.text();
      const license = res.status === 200 ? JSON.parse(text).license : null;
      if (!license) throw new Error(`validate of a seeded key answered ${res.status}: ${text.slice(0, 300)}`);
      sum += read(license);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sum;
}
