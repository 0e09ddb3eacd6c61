import { isoOrNull } from '../domain/time.js';
import { effectiveStatus } from '../domain/validation.js';
import type { Activation, LicenseState } from '../domain/types.js';
import type { ActivationViewT, LicenseViewT } from './schemas.js';


/** The license as the public API shows it: never any personal data. */
export function licenseView(l: Omit<LicenseState, 'accountStatus'>, now: number): LicenseViewT {
  return {
    id: l.id,
    product: l.productSlug,
    status: effectiveStatus(l, now),
    expiresAt: isoOrNull(l.expiresAt),
    lock: l.lock,
    maxActivations: l.maxActivations,
    activations: l.activationCount,
    tokens: l.tokensRemaining === null ? null : { remaining: l.tokensRemaining, total: l.tokensTotal ?? l.tokensRemaining },
  };
}

export function activationView(a: Activation): ActivationViewT {
  return {
    id: a.id, domain: a.domain, device: a.device, label: a.label, development: a.development,
    createdAt: new Date(a.createdAt).toISOString(),
  };
}
