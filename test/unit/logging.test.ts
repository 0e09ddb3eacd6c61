import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeLogger, createLogger, scrubText, shippingStats, type CreateLoggerOptions } from '../../server/logging.js';
import { generateKey, normalizeKey } from '../../server/crypto/keys.js';
import { newTokenSecret } from '../../server/services/admin.js';

const KEY = generateKey('GAL');
const BARE_KEY = generateKey();
const IMPORTED = 'legacy-shop-key 0042/xyz';
const TOKEN = newTokenSecret();
const BOOTSTRAP = 'Op3rator-Chosen-Bootstrap-Secret-2026!';
const PASSWORD = 'correct horse battery staple';
const COOKIE = 'sid_9f8e7d6c5b4a';
const PG_PASSWORD = 'pg-Pa55word';

/** Every secret in every form a client may send it in. */
const SECRETS = [
  KEY, KEY.toLowerCase(), normalizeKey(KEY), normalizeKey(KEY).toLowerCase(), KEY.slice(4), normalizeKey(BARE_KEY),
  BARE_KEY, BARE_KEY.replace(/-/g, ' '), IMPORTED, TOKEN, TOKEN.slice(3), BOOTSTRAP, PASSWORD, COOKIE, PG_PASSWORD,
];

function capture(options: Partial<CreateLoggerOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', ...options, destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines, text: () => lines.join('') };
}

function expectNoSecrets(text: string) {
  for (const secret of SECRETS) expect(text, `leaked ${secret}`).not.toContain(secret);
}

function expectJsonLines(lines: string[]) {
  for (const line of lines) {
    expect(line.endsWith('\n')).toBe(true);
    expect(() => JSON.parse(line)).not.toThrow();
  }
}

describe('scrubbed logging: structured fields', () => {
  it('censors secret fields at any depth and keeps the rest', () => {
    const { logger, lines, text } = capture();
    logger.info({
      key: KEY,
      license: { id: 'lic_06H1ABCDEFGHJKMNPQRSTVWXYZ', licenseKey: IMPORTED, domain: 'shop.example.com', tokens: { remaining: 7, total: 10 } },
      request: { headers: { authorization: `Bearer ${TOKEN}`, cookie: `session=${COOKIE}`, 'set-cookie': [`a=${COOKIE}`], 'user-agent': 'WordPress/6.6' } },
      deep: { a: { b: { c: { d: { password: PASSWORD, apiKey: BOOTSTRAP } } } } },
      config: { bootstrapToken: BOOTSTRAP, databaseUrl: `postgres://bk:${PG_PASSWORD}@db.internal/bk` },
      idempotencyKey: 'job-42',
      device: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    }, 'license created');
    expectNoSecrets(text());
    expectJsonLines(lines);
    const line = JSON.parse(lines[0]!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(line.msg).toBe('license created');
    expect(line.key).toBe('[redacted]');
    expect(line.license).toMatchObject({ id: 'lic_06H1ABCDEFGHJKMNPQRSTVWXYZ', licenseKey: '[redacted]', domain: 'shop.example.com', tokens: { remaining: 7, total: 10 } });
    expect(line.request.headers).toMatchObject({ authorization: '[redacted]', cookie: '[redacted]', 'set-cookie': '[redacted]', 'user-agent': 'WordPress/6.6' });
    expect(line.config.databaseUrl).toBe('postgres://bk:[redacted]@db.internal/bk');
    expect(line.idempotencyKey).toBe('job-42');
    expect(line.device).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
  });

  it('scrubs child bindings and printf arguments with their context', () => {
    const { logger, lines, text } = capture();
    logger.child({ token: TOKEN, route: '/v1/admin/tokens' }).warn('login with token=%s and password: %s failed for %s', BOOTSTRAP, PASSWORD, 'ana@example.com');
    logger.info('looked up %s and %o', KEY, { key: IMPORTED, domain: 'kept.example' });
    expectNoSecrets(text());
    expectJsonLines(lines);
    expect(text()).toContain('/v1/admin/tokens');
    expect(text()).toContain('failed for ana@example.com');
    expect(text()).toContain('kept.example');
  });
});

describe('scrubbed logging: errors', () => {
  it('scrubs messages, stacks, causes and extra fields, and leaves out raw request bytes', () => {
    const { logger, lines, text } = capture();
    const err = new Error(`no license for {"key":"${IMPORTED}","domain":"example.com"} (${KEY.toLowerCase()})`);
    Object.assign(err, {
      body: `{"key":"${KEY}","password":"${PASSWORD}"}`,
      rawPacket: Buffer.from(`POST / HTTP/1.1\r\nAuthorization: Bearer ${TOKEN}\r\nCookie: sid=${COOKIE}\r\n\r\n`),
      code: 'E_LOOKUP',
      request: { key: normalizeKey(BARE_KEY) },
    });
    err.cause = new Error(`upstream said: Authorization: Bearer ${BOOTSTRAP}\nCookie: sid=${COOKIE}`);
    logger.error(err);
    logger.error({ err, path: `/v1/admin/licenses?q=${encodeURIComponent(IMPORTED)}&limit=5` }, 'admin request failed');
    logger.error(new AggregateError([new Error(`key=${IMPORTED}`), new TypeError(`password=${PASSWORD}`)], `two failures for ${BARE_KEY.replace(/-/g, ' ')}`));
    expectNoSecrets(text());
    expectJsonLines(lines);
    const first = JSON.parse(lines[0]!) as { msg: string; err: Record<string, unknown> };
    expect(first.msg).toContain('no license for');
    expect(first.msg).toContain('example.com');
    expect(first.err.type).toBe('Error');
    expect(first.err.code).toBe('E_LOOKUP');
    expect(first.err.stack).toMatch(/logging\.test\.ts/);
    expect(first.err.body).toMatch(/bytes omitted/);
    expect(first.err.rawPacket).toMatch(/^\[\d+ bytes omitted\]$/);
    expect(String((first.err.cause as { message: string }).message)).toContain('upstream said');
    const second = JSON.parse(lines[1]!) as { path: string };
    expect(second.path).toBe('/v1/admin/licenses?q=[redacted]&limit=5');
    const third = JSON.parse(lines[2]!) as { err: { type: string; errors: Array<{ type: string }> } };
    expect(third.err.type).toBe('AggregateError');
    expect(third.err.errors.map((e) => e.type)).toEqual(['Error', 'TypeError']);
  });

  it('scrubs an error thrown by JSON.parse of a body that holds a key', () => {
    const { logger, text } = capture();
    try {
      JSON.parse(`{"key":"${KEY}", oops}`);
    } catch (err) {
      logger.warn({ err, body: `{"key":"${KEY}", oops}` }, 'bad JSON');
    }
    expectNoSecrets(text());
    expect(text()).toContain('bad JSON');
  });
});

describe('scrubText', () => {
  it.each([
    [`key=${IMPORTED.split(' ')[0]}`, 'key=[redacted]'],
    [`Authorization: Bearer ${TOKEN}`, 'Authorization: [redacted]'],
    [`sent Bearer ${BOOTSTRAP} to the API`, 'sent Bearer [redacted] to the API'],
    [`Cookie: a=1; b=${COOKIE}`, 'Cookie: [redacted]'],
    [`{"password":"${PASSWORD}","user":"ana"}`, '{"password":"[redacted]","user":"ana"}'],
    [`{ key: '${IMPORTED}', product: 'gallery' }`, "{ key: '[redacted]', product: 'gallery' }"],
    [`the key is ${KEY}.`, 'the key is [redacted].'],
    ['password: Hunter2 and token: Sesame', 'password: [redacted] and token: [redacted]'],
    [`postgres://bk:${PG_PASSWORD}@127.0.0.1:5432/bk`, 'postgres://bk:[redacted]@127.0.0.1:5432/bk'],
  ])('%s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
    expect(scrubText(scrubText(input))).toBe(expected);
  });

  it('leaves ordinary content alone', () => {
    const text = 'lic_06H1ABCDEFGHJKMNPQRSTVWXYZ activated on www.example.com by device 3f2504e0-4f89-11d3-9a0c-0305e82c3301 ' +
      'at 2026-11-27T10:00:00.000Z: VALIDATION_ERROR (idempotencyKey=job-42, tokens: 5, ana@example.com)';
    expect(scrubText(text)).toBe(text);
    const fieldErrors = 'The request body is invalid: key: Too big: expected string to have <=256 characters; password: unknown field; token: Required.';
    expect(scrubText(fieldErrors)).toBe(fieldErrors);
  });
});

// Shipping ---------------------------------------------------------------------------------

interface Collector { url: string; batches: string[]; contentTypes: string[]; status: { code: number }; server: Server; lines(): string[] }

async function startCollector(): Promise<Collector> {
  const batches: string[] = [];
  const contentTypes: string[] = [];
  const status = { code: 204 };
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (status.code < 300) {
        batches.push(Buffer.concat(chunks).toString('utf8'));
        contentTypes.push(req.headers['content-type'] ?? '');
      }
      res.writeHead(status.code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/ingest`, batches, contentTypes, status, server,
    lines: () => batches.join('').split('\n').filter(Boolean),
  };
}

const collectors: Collector[] = [];
afterEach(async () => {
  for (const c of collectors.splice(0)) await new Promise((resolve) => c.server.close(resolve));
});

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('scrubbed logging: shipping to a collector', () => {
  it('ships exactly the scrubbed local lines as NDJSON, in batches of at most 100, and flushes on close', async () => {
    const collector = await startCollector();
    collectors.push(collector);
    const { logger, lines } = capture({ collectorUrl: collector.url, shipper: { flushIntervalMs: 50 } });
    for (let i = 0; i < 250; i++) logger.info({ key: KEY, n: i, header: `Authorization: Bearer ${TOKEN}` }, `request ${i} with ${KEY}`);
    logger.error(new Error(`failed: password=${PASSWORD}`));
    await closeLogger(logger);
    const shipped = collector.lines();
    expect(shipped).toHaveLength(251);
    expect(shipped.map((l) => `${l}\n`)).toEqual(lines);
    expect(collector.batches.every((b) => b.split('\n').filter(Boolean).length <= 100)).toBe(true);
    expect(collector.contentTypes.every((t) => t === 'application/x-ndjson')).toBe(true);
    expectNoSecrets(collector.batches.join(''));
    expect(shipped[17]).toContain('request 17 with [redacted]');
    expect(shippingStats(logger)).toMatchObject({ sent: 251, dropped: 0, queued: 0 });
  });

  it('sends a full batch of 100 lines without waiting for the interval', async () => {
    const collector = await startCollector();
    collectors.push(collector);
    const { logger } = capture({ collectorUrl: collector.url, shipper: { flushIntervalMs: 60_000 } });
    for (let i = 0; i < 100; i++) logger.info(`line ${i}`);
    await until(() => collector.lines().length === 100);
    await closeLogger(logger);
  });

  it('keeps a bounded queue while the collector fails, drops the oldest, reports the loss and never throws', async () => {
    const collector = await startCollector();
    collectors.push(collector);
    collector.status.code = 503;
    const notices: string[] = [];
    const { logger, lines } = capture({ collectorUrl: collector.url, shipper: { flushIntervalMs: 20, maxQueue: 50, maxBackoffMs: 40 } });
    for (let i = 0; i < 120; i++) logger.info(`line ${i} ${KEY}`);
    await until(() => (shippingStats(logger)?.failures ?? 0) >= 2);
    expect(shippingStats(logger)).toMatchObject({ dropped: 70, queued: 50, sent: 0 });
    collector.status.code = 200;
    await closeLogger(logger);
    const shipped = collector.lines().map((l) => JSON.parse(l) as { msg: string });
    expect(shipped[0]!.msg).toBe('70 log lines were dropped while the log collector was unreachable');
    expect(shipped.slice(1).map((l) => l.msg)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${70 + i} [redacted]`));
    // The server's own output says when the collector went away and came back, by host only.
    notices.push(...lines.map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => m.includes('collector')));
    expect(notices[0]).toMatch(/^log collector at 127\.0\.0\.1:\d+ is unreachable/);
    expect(notices).toContainEqual(expect.stringMatching(/is reachable again$/));
    expectNoSecrets(collector.batches.join(''));
  });

  it('survives a collector that is not listening at all', async () => {
    const collector = await startCollector();
    await new Promise((resolve) => collector.server.close(resolve));
    const { logger, lines } = capture({ collectorUrl: collector.url, shipper: { flushIntervalMs: 10, timeoutMs: 500 } });
    logger.info('still logging locally');
    await until(() => (shippingStats(logger)?.failures ?? 0) >= 1);
    logger.info('and again');
    const started = Date.now();
    await closeLogger(logger, 500);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(lines.filter((l) => l.includes('still logging locally') || l.includes('and again'))).toHaveLength(2);
  });

  it('does not ship from a silent logger and accepts the old createLogger(level) call', () => {
    const silent = createLogger({ level: 'silent', collectorUrl: 'http://127.0.0.1:9/never' });
    silent.error('nothing');
    expect(shippingStats(silent)).toBeNull();
    expect(createLogger('silent').level).toBe('silent');
  });
});
