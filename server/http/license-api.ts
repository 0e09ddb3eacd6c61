import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../core.js';
import type { SigningThread } from '../crypto/signing-thread.js';
import { AppError, toProblem } from '../domain/errors.js';
import {
  activateKey, consumeTokens, deactivateKey, refusal, validateKey, type ActivateResult,
} from '../services/licensing.js';
import type { LicenseState } from '../domain/types.js';
import type { RequestAction } from '../store/privacy.js';
import type { ConsumeDecision, StoredResponse } from '../store/store.js';
import type { ClientIp } from './client-ip.js';
import { readBody } from './body.js';
import { COUNTER_DURATION_S, SlidingWindowLimiter, type RateDecision } from './ratelimit.js';
import { ActivateRequest, ConsumeRequest, DeactivateRequest, ValidateRequest, type ValidateResponseT } from './schemas.js';
import { parseJson, parseOrThrow } from './validation.js';
import { activationView, licenseView } from './views.js';

export const PUBLIC_BODY_LIMIT = 16 * 1024;

const JSON_TYPE = 'application/json; charset=utf-8';
/**
 * The license API holds no cookies and no credentials, so any web page may call it: browser
 * apps can check keys too, and read the signature and rate-limit headers.
 */
export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'BatchKeys-Signature, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy',
} as const;
const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'Content-Type',
  'access-control-max-age': '86400',
};
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** Digests a key once, applies the per-key rate limit to it and gives the digest back. */
type Admit = (key: string) => Promise<string>;

/** What a handler learns for the request log: never the key, only what it found and decided. */
class Note {
  license: LicenseState | null = null;
  code: string | null = null;
  domain: string | null = null;
  device: string | null = null;
  tokens: number | null = null;
  readonly seen = (license: LicenseState) => {
    this.license = license;
  };
  scope(input: { domain?: string | undefined; device?: string | undefined }): void {
    this.domain = input.domain ?? null;
    this.device = input.device ?? null;
  }
}

/**
 * Starts signing an answer before it is sent (see SigningThread.presign): a write's handler
 * calls it when the store shows the outcome early (`settled`, inside the group commit), with the
 * very buffer it then returns.
 */
type Presign = (body: Buffer) => void;

type Handler = (core: Core, body: unknown, admit: Admit, note: Note, presign: Presign) => Promise<StoredResponse>;

const json = (status: number, value: unknown): StoredResponse => ({ status, body: Buffer.from(JSON.stringify(value)) });
const problem = (err: AppError): StoredResponse => json(err.status, toProblem(err));

const routes: Record<string, Handler> = {
  async validate(core, body, admit, note) {
    const input = parseOrThrow(ValidateRequest, body);
    note.scope(input);
    const digest = await admit(input.key);
    const { result, license } = await validateKey(core, { ...input, digest });
    note.license = license;
    note.code = result.code;
    const now = core.now();
    const answer: ValidateResponseT = {
      ...result,
      license: license ? licenseView(license, now) : null,
      meta: input.nonce === undefined ? { ts: new Date(now).toISOString() } : { ts: new Date(now).toISOString(), nonce: input.nonce },
    };
    return json(200, answer);
  },
  async activate(core, body, admit, note, presign) {
    const input = parseOrThrow(ActivateRequest, body);
    note.scope(input);
    const digest = await admit(input.key);
    const answer = ({ created, activation, license }: ActivateResult) =>
      json(created ? 201 : 200, { activation: activationView(activation), license: licenseView(license, core.now()) });
    // Rendered inside the store's transaction when the store can, so that it is being signed
    // while the group commit finishes; sent only once the commit has succeeded.
    let early: StoredResponse | null = null;
    const prepare = (r: ActivateResult) => {
      early = answer(r);
      presign(early.body);
    };
    const result = await activateKey(core, { ...input, digest, seen: note.seen, prepare });
    note.code = result.created ? 'ACTIVATED' : 'ALREADY_ACTIVE';
    return early ?? answer(result);
  },
  async deactivate(core, body, admit, note) {
    const input = parseOrThrow(DeactivateRequest, body);
    note.scope(input);
    const digest = await admit(input.key);
    const license = await deactivateKey(core, { ...input, digest, seen: note.seen });
    note.code = 'DEACTIVATED';
    return json(200, { deactivated: true, license: licenseView(license, core.now()) });
  },
  async consume(core, body, admit, note, presign) {
    const input = parseOrThrow(ConsumeRequest, body);
    const digest = await admit(input.key);
    // Called by the store inside the consume's transaction (the answer is stored with it).
    const render = (d: ConsumeDecision): StoredResponse => {
      note.license = d.license;
      note.code = d.kind === 'ok' ? 'CONSUMED' : d.code;
      if (d.kind === 'refused') return problem(refusal(d));
      note.tokens = d.consumed;
      return json(200, { consumed: d.consumed, remaining: d.license.tokensRemaining ?? 0, license: licenseView(d.license, core.now()) });
    };
    // A store that settles the consume in this turn shows the answer early: it starts being signed.
    return consumeTokens(core, { ...input, digest, settled: (answer) => presign(answer.body) }, render);
  },
};

class RateLimited extends AppError {
  constructor(readonly decision: RateDecision) {
    super('RATE_LIMITED', `Too many requests: retry in ${decision.retryAfterSeconds} s.`);
  }
}

/**
 * The license API on bare node:http: no middleware chain, one body read, one schema check, one
 * store lookup and one signature per request. Every answer, errors included, is signed.
 */
export async function createLicenseApi(core: Core, clientIp: ClientIp, signatures: SigningThread) {
  const { config } = core;
  const limiter = async (limit: number, name: string) =>
    limit > 0 ? new SlidingWindowLimiter(limit, name, (await core.store.rateLimitCounters(name, COUNTER_DURATION_S)) ?? undefined) : null;
  const ipLimiter = await limiter(config.rateLimit, 'bk_rl_ip');
  const keyLimiter = await limiter(config.keyRateLimit, 'bk_rl_key');

  const send = (req: IncomingMessage, res: ServerResponse, r: StoredResponse, rate: RateDecision | null, extra?: Record<string, string>) => {
    const headers: Record<string, string | number> = {
      'content-length': r.body.length,
      'cache-control': 'no-store',
      'batchkeys-signature': '',
      ...extra,
    };
    // CORS headers matter to browsers only, and browsers always send Origin on a cross-origin
    // POST: servers and SDKs (most callers) are spared ~170 bytes an answer. No Vary is needed:
    // the answers are never cached (no-store) and allow any origin.
    if (req.headers.origin !== undefined) Object.assign(headers, CORS_HEADERS);
    if (r.body.length > 0) headers['content-type'] = r.status >= 400 ? PROBLEM_TYPE : JSON_TYPE;
    if (rate) {
      headers['ratelimit-limit'] = rate.limit;
      headers['ratelimit-remaining'] = rate.remaining;
      headers['ratelimit-reset'] = rate.resetSeconds;
      headers['ratelimit-policy'] = `${rate.limit};w=60`;
      if (!rate.allowed) headers['retry-after'] = rate.retryAfterSeconds;
    }
    signatures.sign(r.body, (signature) => {
      headers['batchkeys-signature'] = `ed25519=${signature}`;
      res.writeHead(r.status, headers);
      res.end(r.body);
    });
  };

  const presign: Presign = (body) => signatures.presign(body);

  const admit: Admit = async (key) => {
    const digest = core.vault.digest(key);
    if (keyLimiter) {
      const d = await keyLimiter.hit(digest, core.now());
      if (!d.allowed) throw new RateLimited(d);
    }
    return digest;
  };

  const { requestLog } = core;
  /** Records the request once answered: the action, what it found and decided, never the key. */
  // (The debug-level access line of every request, this one included, comes from logAccess.)
  const log = (action: RequestAction, started: number, ip: string, note: Note, status: number, code: string) => {
    if (!requestLog.enabled) return;
    requestLog.record({
      at: core.now(), accountId: note.license?.accountId ?? null, licenseId: note.license?.id ?? null, action, code: note.code ?? code,
      status, ip, domain: note.domain, device: note.device, tokens: note.tokens,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
    });
  };

  return async function licenseApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const started = performance.now();
    let rate: RateDecision | null = null;
    const name = path.startsWith('/v1/licenses/') ? path.slice('/v1/licenses/'.length) : '';
    const handler = Object.hasOwn(routes, name) ? routes[name] : undefined;
    const note = new Note();
    const ip = clientIp(req);
    try {
      if (!handler) throw new AppError('NOT_FOUND', `There is no license API endpoint at ${path}.`);
      if (req.method === 'OPTIONS') {
        req.resume();
        return send(req, res, { status: 204, body: Buffer.alloc(0) }, null, PREFLIGHT_HEADERS);
      }
      if (req.method !== 'POST') {
        req.resume();
        return send(req, res, problem(new AppError('METHOD_NOT_ALLOWED', `Use POST for ${path}.`)), null, { allow: 'POST' });
      }
      if (ipLimiter) {
        rate = await ipLimiter.hit(ip, core.now());
        if (!rate.allowed) throw new RateLimited(rate);
      }
      const body = parseJson(await readBody(req, PUBLIC_BODY_LIMIT));
      const answer = await handler(core, body, admit, note, presign);
      send(req, res, answer, rate);
      // Only a consume replayed from its idempotency key leaves the code unset: nothing was decided anew.
      log(name as RequestAction, started, ip, note, answer.status, 'REPLAYED');
    } catch (err) {
      if (err instanceof RateLimited) rate = err.decision;
      if (err instanceof AppError) {
        core.logger.debug({ err, path }, 'license API request refused');
        // An over-long body is left unread: close the connection rather than drain it.
        const extra: Record<string, string> = err.code === 'PAYLOAD_TOO_LARGE' ? { connection: 'close' } : {};
        send(req, res, problem(err), rate, extra);
        if (handler && req.method === 'POST') log(name as RequestAction, started, ip, note, err.status, err.code);
        return;
      }
      core.logger.error({ err, path }, 'license API request failed');
      send(req, res, problem(new AppError('INTERNAL_ERROR', 'The server could not answer this request.')), rate);
      if (handler) log(name as RequestAction, started, ip, note, 500, 'INTERNAL_ERROR');
    }
  };
}

/** `GET /v1/signing-key`: the public half of the response-signing key; not rate limited. */
export function signingKeyBody(core: Core): Buffer {
  const { signer } = core;
  return Buffer.from(JSON.stringify({
    algorithm: 'ed25519',
    publicKey: signer.publicKey.toString('base64'),
    pem: signer.publicKeyPem,
  }));
}
