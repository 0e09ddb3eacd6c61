import type { Core } from '../core.js';
import { AppError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { isDevelopmentHost } from '../domain/hosts.js';
import { standingCode, validate, type ValidationResult } from '../domain/validation.js';
import type { Activation, LicenseState } from '../domain/types.js';
import type { ActivatedOutcome, ActivationIdentity, ConsumeDecision, StoredResponse } from '../store/store.js';

/** Inputs arrive here already shape-checked and normalised by the HTTP edge. */
export interface KeyScope {
  /** The key's digest (computed once at the edge, see KeyVault.digest). */
  digest: string;
  domain?: string | undefined;
  device?: string | undefined;
  product?: string | undefined;
  /** Told which license the key found, before any refusal: the request log records it. */
  seen?: ((license: LicenseState) => void) | undefined;
}

export interface ValidateOutcome {
  result: ValidationResult;
  license: LicenseState | null;
}

export async function validateKey(core: Core, input: KeyScope): Promise<ValidateOutcome> {
  const license = await core.store.findLicenseByDigest(input.digest);
  let activation: Activation | null = null;
  if (license && license.lock !== 'none') {
    const by = identity(license.lock, input);
    if (by) activation = await core.store.findActivation(license.id, by);
  }
  const result = validate(license, input, activation, core.now());
  if (activation && result.valid) core.lastSeen.mark(activation.id);
  return { result, license };
}

function identity(lock: 'domain' | 'device', input: KeyScope): ActivationIdentity | null {
  if (lock === 'domain') return input.domain !== undefined ? { domain: input.domain } : null;
  return input.device !== undefined ? { device: input.device } : null;
}

const notFound = () => new AppError('NOT_FOUND', 'No license matches this key.');

/** Picks what a key activates by: its lock's identifier, or exactly one of the two when unlocked. */
function activationTarget(license: LicenseState, input: KeyScope): ActivationIdentity {
  if (license.lock === 'domain') {
    if (input.domain === undefined) throw new AppError('DOMAIN_REQUIRED', 'This key is locked to domains: give the domain to activate.');
    return { domain: input.domain };
  }
  if (license.lock === 'device') {
    if (input.device === undefined) throw new AppError('DEVICE_REQUIRED', 'This key is locked to devices: give the device to activate.');
    return { device: input.device };
  }
  if ((input.domain === undefined) === (input.device === undefined)) {
    throw new AppError('VALIDATION_ERROR', 'Give exactly one of domain or device to activate an unlocked key.', [
      { path: input.domain === undefined ? 'domain' : 'device', message: 'exactly one of domain or device is required' },
    ]);
  }
  return input.domain !== undefined ? { domain: input.domain } : { device: input.device as string };
}

export interface ActivateResult {
  created: boolean;
  activation: Activation;
  license: LicenseState;
}

const activateResult = (o: ActivatedOutcome): ActivateResult => ({ created: o.kind === 'created', activation: o.activation, license: o.license });

/**
 * `prepare`, when given, sees the result inside the store's transaction, before it commits
 * (stores that can say so early; see ActivateInput.settled): the caller can render its answer
 * there. The result is only final once this function returns.
 */
export async function activateKey(
  core: Core,
  input: KeyScope & { label?: string | undefined; prepare?: (result: ActivateResult) => void },
): Promise<ActivateResult> {
  const now = core.now();
  const { prepare } = input;
  const outcome = await core.store.activate({
    digest: input.digest,
    id: newId('act', now),
    now,
    ...(prepare && { settled: (o: ActivatedOutcome) => prepare(activateResult(o)) }),
    plan: (license) => {
      input.seen?.(license);
      const standing = standingCode(license, input.product, now);
      if (standing) throw new AppError(standing, standingDetail[standing]);
      const target = activationTarget(license, input);
      const domain = 'domain' in target ? target.domain : null;
      return {
        domain,
        device: 'device' in target ? target.device : null,
        label: input.label ?? null,
        development: domain !== null && isDevelopmentHost(domain, core.devHosts),
      };
    },
  });
  if (outcome.kind === 'not_found') throw notFound();
  if (outcome.kind === 'limit') {
    throw new AppError('ACTIVATION_LIMIT_REACHED',
      `This key is already activated on ${outcome.license.maxActivations} ${outcome.license.maxActivations === 1 ? 'site or device' : 'sites or devices'}, its limit.`);
  }
  return activateResult(outcome);
}

const standingDetail = {
  REVOKED: 'This license has been revoked.',
  SUSPENDED: 'This license is suspended.',
  EXPIRED: 'This license has expired.',
  PRODUCT_MISMATCH: 'This key belongs to another product.',
} as const;

export async function deactivateKey(core: Core, input: KeyScope): Promise<LicenseState> {
  // Deliberately no status check: a suspended or expired licensee can still free a seat.
  const outcome = await core.store.deactivate(input.digest, (license) => {
    input.seen?.(license);
    return activationTarget(license, input);
  }, core.now());
  if (outcome.kind === 'not_found') throw notFound();
  if (outcome.kind === 'not_active') throw new AppError('NOT_ACTIVATED', 'This key is not activated on the given domain or device.');
  return outcome.license;
}

const refusalDetail: Record<Exclude<ConsumeDecision, { kind: 'ok' }>['code'], string> = {
  ...standingDetail,
  NO_TOKEN_BUDGET: 'This key has no token budget.',
  INSUFFICIENT_TOKENS: 'This key has fewer tokens left than requested; nothing was consumed.',
};

export function refusal(decision: Exclude<ConsumeDecision, { kind: 'ok' }>): AppError {
  return new AppError(decision.code, refusalDetail[decision.code]);
}

/**
 * Consumes tokens. `render` builds the answer inside the store's transaction so that the answer
 * kept for the idempotency key is exactly the one sent. Duplicates of an idempotency key that is
 * still in flight in this process wait for and share the first answer.
 */
export async function consumeTokens(
  core: Core,
  input: { digest: string; amount: number; idempotencyKey?: string | undefined; settled?: (response: StoredResponse) => void },
  render: (decision: ConsumeDecision) => StoredResponse,
): Promise<StoredResponse> {
  const { digest } = input;
  const idem = input.idempotencyKey ?? null;
  const mismatch = () => new AppError('IDEMPOTENCY_MISMATCH', 'This idempotency key was first used with a different amount.');
  const run = async (): Promise<StoredResponse> => {
    const now = core.now();
    const outcome = await core.store.consume({
      digest, amount: input.amount, idempotencyKey: idem, ledgerId: newId('led', now), now, render,
      ...(input.settled && { settled: input.settled }),
    });
    if (outcome.kind === 'not_found') throw notFound();
    if (outcome.kind === 'mismatch') throw mismatch();
    return outcome.response;
  };
  if (idem === null) return run();
  const slot = `${digest}\u0000${idem}`;
  const inflight = inFlight.get(slot);
  if (inflight) {
    const first = await inflight;
    if (first.amount !== input.amount) throw mismatch();
    return first.response;
  }
  const promise = run().then((response) => ({ amount: input.amount, response }));
  inFlight.set(slot, promise);
  try {
    return (await promise).response;
  } finally {
    inFlight.delete(slot);
  }
}

const inFlight = new Map<string, Promise<{ amount: number; response: StoredResponse }>>();
