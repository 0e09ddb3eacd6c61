import { IncomingMessage, ServerResponse, request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { formatWithOptions } from 'node:util';
import { pino, type Logger } from 'pino';

/**
 * The server's own logs. The promise is that no key, token, password, cookie or Authorization
 * header reaches a log line, wherever it hides: in a field, deep in an object, in an error's
 * message or stack, in a printf argument. Four layers, each enough for what it covers:
 *
 * 1. a log-method hook that scrubs every argument before pino sees it (sensitive field names at
 *    any depth, free text, errors, buffers, request objects);
 * 2. serializers for `err`, `req` and `res` (for fields pino serializes itself, child bindings);
 * 3. pino's redact paths for the usual top-level fields;
 * 4. a final pass over every serialized line (pino's `streamWrite` hook), which is also what
 *    is shipped to a log collector, so the collector only ever sees scrubbed lines.
 */

const CENSOR = '[redacted]';

/** Keys, tokens, passwords and the like never reach a log line, wherever they appear. */
export const REDACT_PATHS = [
  'key', '*.key', 'keys', '*.keys', 'token', '*.token', 'password', '*.password', 'secret', '*.secret',
  'authorization', '*.authorization', 'cookie', '*.cookie', '["set-cookie"]', '*["set-cookie"]',
  'bootstrapToken', '*.bootstrapToken',
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]',
  'headers.authorization', 'headers.cookie', 'headers["proxy-authorization"]', 'headers["set-cookie"]',
];

// Free-text patterns -------------------------------------------------------------------------
//
// They are written for text as it appears inside a JSON string (quotes as \", newlines as \n), so
// one set serves both a raw message (see scrubText) and a whole serialized line. Every
// replacement lies inside a string's content and never eats half an escape, so a scrubbed line
// is still valid JSON.

/** Field names whose values are secrets; matched at the end of a name (`licenseKey`, `x-api-key`). */
const SECRET_NAME = String.raw`[A-Za-z0-9_-]{0,40}?(?:keys?|token|secret|passw(?:or)?d|pwd|passphrase|credentials?|authorization|cookie)`;
/** Names that end like a secret but are not one: idempotency keys identify a consume request. */
const KEEP_NAME = /(?:idempotency[-_]?key|public[-_]?key)$/i;

/** One Crockford base32 character (no I, L, O, U); with the `i` flag any case. */
const C = '[0-9A-HJKMNP-TV-Z]';

/**
 * A quoted string of the raw text as it reads inside a JSON string: a raw `"` is `\"` there, a raw
 * escaped quote `\\\"`, a raw backslash `\\\\`; the closing quote may be missing (cut-off text).
 */
const RAW_DQ = String.raw`\\"(?:\\\\\\"|\\\\\\\\|\\\\[^\\"]|\\[^"\\]|[^"\\])*(?:\\")?`;
const RAW_SQ = String.raw`'(?:\\\\.|\\[^"\\]|[^'"\\])*'?`;

interface Rule {
  re: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

/** Words that begin a validation message ("key: Invalid input"), never a secret worth hiding. */
const PROSE = /^(?:unknown|invalid|too|required|expected|missing|must|not|is|was|has|cannot|should|none|null|empty|undefined)$/i;

const keepOrCensor = (name: string, kept: string, censored: string) => (KEEP_NAME.test(name) ? kept : censored);

const RULES: Rule[] = [
  // Credentials in URLs: postgres://user:password@host, https://user:token@collector.
  { re: /([a-z][a-z0-9+.-]*:\/\/[^/\s:@"\\]+:)([^/\s@"\\]+)@/gi, replace: (_m, head: string) => `${head}${CENSOR}@` },
  // Query parameters that may carry a key (the admin list's `q` finds a license by its key) or an email.
  { re: /([?&](?:q|email|search)=)([^&#\s"\\]*)/gi, replace: (_m, head: string) => `${head}${CENSOR}` },
  // JSON structure: "key":"...", "authorization":"...", at any depth of the serialized line.
  {
    re: new RegExp(String.raw`"(${SECRET_NAME})"(\s*:\s*)"((?:[^"\\]|\\.)*)"`, 'gi'),
    replace: (m, name: string, colon: string) => keepOrCensor(name, m, `"${name}"${colon}"${CENSOR}"`),
  },
  // Header lines in free text (Authorization: Bearer x, Cookie: a=b; c=d): to the end of the line.
  {
    re: /((?:proxy-)?authorization|set-cookie|cookie|x-api-key)(\s*[:=]\s*)(?![\s'[]|\\")((?:[^"\\]|\\[^"nr])+)/gi,
    replace: (_m, name: string, sep: string) => `${name}${sep}${CENSOR}`,
  },
  // name=value, name: value, "name": "value", {name: 'value'} in free text and inspected objects.
  {
    re: new RegExp(String.raw`(${SECRET_NAME})(\\"|')?(\s*[:=]\s*)(?!\[redacted\])(${RAW_DQ}|${RAW_SQ}|[^\s"'\\,;&}\])]+)`, 'gi'),
    replace: (m, name: string, quote: string | undefined, sep: string, value: string) => {
      if (KEEP_NAME.test(name)) return m;
      // "key: Too big", "password: unknown field": a field error in prose, not a value.
      if (sep.trim() === ':' && PROSE.test(value.replace(/[.:!?]+$/, ''))) return m;
      const open = value.startsWith('\\"') ? '\\"' : value.startsWith("'") ? "'" : '';
      const close = open && value.length > open.length && value.endsWith(open) ? open : '';
      return `${name}${quote ?? ''}${sep}${open}${CENSOR}${close}`;
    },
  },
  // Authorization schemes wherever they appear.
  {
    re: /((?:[Bb]earer|BEARER|Basic)\s+)(?!\[redacted\])((?:[^\s"\\]|\\[^"nrt])+)/g,
    replace: (_m, scheme: string) => `${scheme}${CENSOR}`,
  },
  // Admin API tokens (`bk_` and 43 base64url characters; test and bootstrap tokens may differ).
  { re: /bk_[A-Za-z0-9_-]{16,}/g, replace: () => CENSOR },
  // Generated license keys in any case, with or without the product prefix, dashes or spaces.
  { re: new RegExp(String.raw`(?:[A-Z0-9]{1,16}[- ]?)?${C}{5}(?:[- ]?${C}{5}){5}`, 'gi'), replace: () => CENSOR },
  // Fragments of a key as issued (upper case, dashed), e.g. cut short by an error message.
  { re: new RegExp(String.raw`(?:[0-9A-Z]{1,16}-)?${C}{5}(?:-${C}{5})+(?:-${C}{1,4})?`, 'g'), replace: () => CENSOR },
];

function applyRules(text: string): string {
  let out = text;
  for (const rule of RULES) {
    rule.re.lastIndex = 0;
    out = out.replace(rule.re, rule.replace as (substring: string, ...args: unknown[]) => string);
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;

/** Removes keys, tokens, passwords, cookies and Authorization values from free text. */
export function scrubText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return applyRules(text);
  // The rules read JSON string content: scrub the text in that form and read it back.
  try {
    return JSON.parse(applyRules(JSON.stringify(text))) as string;
  } catch {
    return '[text withheld: it could not be scrubbed]';
  }
}

/** The last pass over a serialized line; a line the rules would break is withheld. */
export function scrubLine(line: string): string {
  const scrubbed = applyRules(line);
  if (scrubbed === line) return line;
  try {
    JSON.parse(scrubbed);
    return scrubbed;
  } catch {
    const nl = line.endsWith('\n') ? '\n' : '';
    return `${JSON.stringify({ level: 50, time: Date.now(), msg: 'log line withheld: it could not be scrubbed safely' })}${nl}`;
  }
}

// Structured values ---------------------------------------------------------------------------

const SECRET_FIELD = new RegExp(`^${SECRET_NAME}$`, 'i');
const isSecretField = (name: string) => SECRET_FIELD.test(name) && !KEEP_NAME.test(name);
/** Error properties that hold raw request bytes (body-parser's `body`, Node's `rawPacket`). */
const RAW_ERROR_FIELDS = new Set(['body', 'rawBody', 'rawPacket', 'buffer', 'data']);
const OMITTED = /^\[(?:\d+ bytes )?omitted\]$/;
const MAX_DEPTH = 8;
const MAX_NODES = 5000;

interface Walk { nodes: number; ancestors: Set<object> }

function describeBytes(v: ArrayBufferView | ArrayBuffer): string {
  return `[${v.byteLength} bytes omitted]`;
}

/** A request as logged: method and path (query scrubbed), never headers or the client IP. */
export function scrubRequest(req: unknown): unknown {
  if (!req || typeof req !== 'object') return req;
  const r = req as { method?: unknown; url?: unknown; originalUrl?: unknown };
  const url = typeof r.originalUrl === 'string' ? r.originalUrl : r.url;
  return { method: r.method, url: typeof url === 'string' ? scrubText(url) : undefined };
}

export function scrubResponse(res: unknown): unknown {
  if (!res || typeof res !== 'object') return res;
  return { statusCode: (res as { statusCode?: unknown }).statusCode };
}

/** A deep copy with secret fields censored, free text scrubbed and raw bytes left out. */
export function scrubValue(value: unknown, walk: Walk = { nodes: 0, ancestors: new Set() }, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (++walk.nodes > MAX_NODES || depth > MAX_DEPTH) return '[truncated]';
  if (walk.ancestors.has(value)) return '[Circular]';
  if (value instanceof Error) return scrubError(value, walk, depth);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return describeBytes(value);
  if (value instanceof Date) return value;
  if (value instanceof URL) return scrubText(value.href);
  if (value instanceof IncomingMessage) return scrubRequest(value);
  if (value instanceof ServerResponse) return scrubResponse(value);
  walk.ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => scrubValue(v, walk, depth + 1));
    if (value instanceof Set) return [...value].map((v) => scrubValue(v, walk, depth + 1));
    const entries: Iterable<[unknown, unknown]> = value instanceof Map ? value.entries() : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const name = String(k);
      out[name] = v !== null && v !== undefined && isSecretField(name) ? CENSOR : scrubValue(v, walk, depth + 1);
    }
    return out;
  } finally {
    walk.ancestors.delete(value);
  }
}

/**
 * An error as logged: type, message, stack, code and cause, scrubbed; its other own fields
 * scrubbed like any value, raw request bytes left out. Plain error-like objects (already
 * scrubbed ones, say) are accepted, so the serializer can run twice.
 */
export function scrubError(err: unknown, walk: Walk = { nodes: 0, ancestors: new Set() }, depth = 0): unknown {
  if (!err || typeof err !== 'object') return typeof err === 'string' ? scrubText(err) : err;
  const e = err as Record<string, unknown> & { message?: unknown; stack?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.message !== 'string' && !(err instanceof Error)) return scrubValue(err, walk, depth);
  if (walk.ancestors.has(err) || depth > MAX_DEPTH) return '[Circular]';
  walk.ancestors.add(err);
  try {
    const out: Record<string, unknown> = {
      type: err instanceof Error ? err.constructor.name : typeof e.type === 'string' ? e.type : 'Error',
      message: typeof e.message === 'string' ? scrubText(e.message) : '',
    };
    if (typeof e.stack === 'string') out.stack = scrubText(e.stack);
    for (const [k, v] of Object.entries(e)) {
      if (k === 'message' || k === 'stack' || k === 'type' || v === undefined) continue;
      if (RAW_ERROR_FIELDS.has(k) && (typeof v === 'string' || (v !== null && typeof v === 'object'))) {
        // Idempotent: the serializer may see an error the log-method hook has already scrubbed.
        out[k] = typeof v === 'string' ? (OMITTED.test(v) ? v : `[${Buffer.byteLength(v)} bytes omitted]`)
          : ArrayBuffer.isView(v) ? describeBytes(v) : '[omitted]';
      } else {
        out[k] = v !== null && isSecretField(k) ? CENSOR : scrubValue(v, walk, depth + 1);
      }
    }
    // `cause` and AggregateError's `errors` are not enumerable on real errors.
    if (e.cause !== undefined && !('cause' in out)) out.cause = scrubError(e.cause, walk, depth + 1);
    if (Array.isArray(e.errors) && !('errors' in out)) out.errors = e.errors.map((x) => scrubError(x, walk, depth + 1));
    return out;
  } finally {
    walk.ancestors.delete(err);
  }
}

/** Scrubs the arguments of one log call the way pino will read them. */
export function scrubLogArguments(args: readonly unknown[]): unknown[] {
  let rest = args;
  let merge: unknown;
  const first = args[0];
  if (first instanceof Error) {
    // pino logs an Error as { err } with its message as the line's message: both scrubbed.
    merge = { err: scrubError(first) };
    rest = args.slice(1);
  } else if (first !== null && typeof first === 'object') {
    merge = first instanceof IncomingMessage ? { req: scrubRequest(first) }
      : first instanceof ServerResponse ? { res: scrubResponse(first) }
      : scrubValue(first);
    rest = args.slice(1);
  }
  const out: unknown[] = merge === undefined ? [] : [merge];
  if (rest.length === 0) return out;
  const [msg, ...params] = rest;
  if (typeof msg !== 'string') return [...out, ...rest];
  // Format printf arguments here, so that "token=%s" is scrubbed with its value in context.
  const text = params.length === 0 ? msg
    : formatWithOptions({ depth: 4, breakLength: Infinity, compact: true }, msg, ...params.map((p) => scrubValue(p)));
  return [...out, scrubText(text)];
}

/**
 * One debug line per HTTP request, written when the response is done (or the connection gone):
 * method, path without its query string, status and latency. Nothing else about the request: no
 * headers, no client IP (the request log is where per-request personal data lives, with its
 * retention). Attach it only when debug is enabled, so that the hot path pays nothing otherwise.
 */
export function logAccess(logger: Logger, req: IncomingMessage, res: ServerResponse, path: string): void {
  const started = performance.now();
  res.once('close', () => {
    const line: Record<string, unknown> = {
      method: req.method, path, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (!res.writableFinished) line.aborted = true;
    logger.debug(line, 'request');
  });
}

// Shipping to a collector ---------------------------------------------------------------------

export interface ShipperOptions {
  /** A batch leaves at the latest this long after its first line (ms). */
  flushIntervalMs?: number;
  /** ...or as soon as this many lines wait. */
  maxBatch?: number;
  /** Lines kept while the collector is unreachable; beyond, the oldest are dropped (and counted). */
  maxQueue?: number;
  /** One POST may take this long (ms). */
  timeoutMs?: number;
  /** Longest wait between retries while the collector fails (ms). */
  maxBackoffMs?: number;
}

export interface ShipperStats {
  queued: number;
  sent: number;
  dropped: number;
  failures: number;
}

/**
 * Sends (already scrubbed) log lines to a collector as newline-delimited JSON, in batches, one
 * POST at a time. It never blocks the caller and never throws: when the collector is down the
 * lines wait in a bounded queue that drops the oldest, and the next batch that gets through
 * says how many were lost.
 */
export class LogShipper {
  private readonly url: URL;
  private readonly opts: Required<ShipperOptions>;
  private queue: string[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failuresInRow = 0;
  private retryAt = 0;
  private droppedUnreported = 0;
  private closed = false;
  readonly stats: ShipperStats = { queued: 0, sent: 0, dropped: 0, failures: 0 };

  constructor(url: string, private readonly notice: (message: string) => void, options: ShipperOptions = {}) {
    this.url = new URL(url);
    this.opts = { flushIntervalMs: 1000, maxBatch: 100, maxQueue: 10_000, timeoutMs: 5000, maxBackoffMs: 30_000, ...options };
  }

  /** host[:port] only: the URL may hold credentials or a token in its path. */
  get host(): string {
    return this.url.host;
  }

  private get pending(): number {
    return this.queue.length - this.head;
  }

  push(line: string): void {
    if (this.closed) return;
    this.queue.push(line.endsWith('\n') ? line : `${line}\n`);
    const excess = this.pending - this.opts.maxQueue;
    if (excess > 0) {
      this.head += excess;
      this.stats.dropped += excess;
      this.droppedUnreported += excess;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.stats.queued = this.pending;
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.inFlight || this.pending === 0) return;
    const now = Date.now();
    if (this.pending >= this.opts.maxBatch && now >= this.retryAt) {
      this.clearTimer();
      void this.sendBatch();
      return;
    }
    if (this.timer) return;
    const wait = Math.max(this.opts.flushIntervalMs, this.retryAt - now);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sendBatch();
    }, wait);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sends one batch (if any); resolves when it has been answered or has failed. */
  private sendBatch(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.pending === 0) return Promise.resolve();
    const lines = this.queue.slice(this.head, this.head + this.opts.maxBatch);
    this.head += lines.length;
    const dropped = this.droppedUnreported;
    this.droppedUnreported = 0;
    const batch = dropped > 0
      ? [`${JSON.stringify({ level: 40, time: Date.now(), msg: `${dropped} log lines were dropped while the log collector was unreachable` })}\n`, ...lines]
      : lines;
    this.inFlight = this.post(batch.join('')).then((ok) => {
      this.inFlight = null;
      if (ok) {
        this.stats.sent += lines.length;
        if (this.failuresInRow > 0) this.notice(`log collector at ${this.host} is reachable again`);
        this.failuresInRow = 0;
        this.retryAt = 0;
      } else {
        this.stats.failures++;
        if (this.failuresInRow === 0) {
          this.notice(`log collector at ${this.host} is unreachable: lines are kept (at most ${this.opts.maxQueue}, oldest dropped) and retried`);
        }
        this.failuresInRow++;
        this.retryAt = Date.now() + Math.min(this.opts.maxBackoffMs, this.opts.flushIntervalMs * 2 ** Math.min(this.failuresInRow, 16));
        // Put the batch back in front, within the bound.
        this.queue.splice(this.head, 0, ...lines);
        this.droppedUnreported += dropped;
        const excess = this.pending - this.opts.maxQueue;
        if (excess > 0) {
          this.head += excess;
          this.stats.dropped += excess;
          this.droppedUnreported += excess;
        }
      }
      this.stats.queued = this.pending;
      this.schedule();
    });
    return this.inFlight;
  }

  private post(body: string): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const done = (ok: boolean) => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      try {
        const payload = Buffer.from(body, 'utf8');
        const options: RequestOptions = {
          method: 'POST',
          agent: false,
          timeout: this.opts.timeoutMs,
          headers: { 'content-type': 'application/x-ndjson', 'content-length': payload.length },
        };
        const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(this.url, options, (res) => {
          res.resume();
          res.once('end', () => done((res.statusCode ?? 500) < 300));
          res.once('error', () => done(false));
        });
        // An unanswered POST must not keep the process alive: close() waits for it instead.
        req.once('socket', (socket) => socket.unref());
        req.once('timeout', () => req.destroy(new Error('timeout')));
        req.once('error', () => done(false));
        req.end(payload);
      } catch {
        done(false);
      }
    });
  }

  /** Sends everything queued, as long as the collector keeps accepting, within `deadlineMs`. */
  async flush(deadlineMs = this.opts.timeoutMs): Promise<void> {
    const until = Date.now() + deadlineMs;
    this.clearTimer();
    if (this.inFlight) await this.inFlight;
    while (this.pending > 0 && Date.now() < until) {
      const before = this.stats.failures;
      await this.sendBatch();
      if (this.stats.failures !== before) break;
    }
    this.schedule();
  }

  async close(deadlineMs = 3000): Promise<void> {
    if (this.closed) return;
    await this.flush(deadlineMs);
    this.closed = true;
    this.clearTimer();
  }
}

// The logger ---------------------------------------------------------------------------------

export interface LogDestination {
  write(chunk: string): unknown;
}

export interface CreateLoggerOptions {
  level: string;
  /** Also ship every (scrubbed) line here as newline-delimited JSON over HTTP POST. */
  collectorUrl?: string | undefined;
  /** Where lines are written; standard error by default. */
  destination?: LogDestination | undefined;
  shipper?: ShipperOptions | undefined;
}

/** Writes each line locally and hands it to the shipper. */
class TeeSink {
  constructor(readonly local: LogDestination, readonly shipper: LogShipper) {}

  write(line: string): boolean {
    this.local.write(line);
    this.shipper.push(line);
    return true;
  }

  flush(cb: (err?: Error) => void): void {
    this.shipper.flush().then(() => cb(), () => cb());
  }
}

/**
 * The server's logger: JSON lines on standard error, scrubbed of secrets, optionally shipped to
 * a collector. `createLogger('info')` still works as before.
 */
export function createLogger(options: CreateLoggerOptions | string): Logger {
  const o: CreateLoggerOptions = typeof options === 'string' ? { level: options } : options;
  const local: LogDestination = o.destination ?? pino.destination(2);
  let stream: LogDestination = local;
  if (o.collectorUrl && o.level !== 'silent') {
    const writeNotice = (msg: string) => {
      try {
        local.write(`${JSON.stringify({ level: 40, time: Date.now(), pid: process.pid, msg })}\n`);
      } catch { /* standard error is gone: nothing more to do */ }
    };
    try {
      stream = new TeeSink(local, new LogShipper(o.collectorUrl, writeNotice, o.shipper));
    } catch {
      writeNotice('the log collector URL cannot be used: logs are not shipped');
    }
  }
  return pino({
    level: o.level,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: {
      err: (e: unknown) => scrubError(e),
      error: (e: unknown) => scrubError(e),
      req: scrubRequest,
      res: scrubResponse,
    },
    hooks: {
      logMethod(args, method) {
        let scrubbed: unknown[];
        try {
          scrubbed = scrubLogArguments(args);
        } catch {
          scrubbed = ['log call withheld: its arguments could not be scrubbed'];
        }
        (method as (...a: unknown[]) => void).apply(this, scrubbed);
      },
      streamWrite: scrubLine,
    },
  }, stream as pino.DestinationStream);
}

function sinkOf(logger: Logger): TeeSink | undefined {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  return stream instanceof TeeSink ? stream : undefined;
}

/** Ships what is still queued (bounded by `deadlineMs`) and stops shipping. Safe to call on any logger. */
export async function closeLogger(logger: Logger, deadlineMs = 3000): Promise<void> {
  await sinkOf(logger)?.shipper.close(deadlineMs);
}

/** Shipping counters, or null for a logger that does not ship. */
export function shippingStats(logger: Logger): ShipperStats | null {
  const sink = sinkOf(logger);
  return sink ? { ...sink.shipper.stats } : null;
}
