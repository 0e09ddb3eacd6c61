import type { Activation, License, LicenseState, LicenseStatus } from './types.js';

export const validationCodes = [
  'NOT_FOUND',
  'REVOKED',
  'SUSPENDED',
  'EXPIRED',
  'PRODUCT_MISMATCH',
  'DOMAIN_REQUIRED',
  'DEVICE_REQUIRED',
  'NOT_ACTIVATED',
  'TOKENS_EXHAUSTED',
  'VALID',
] as const;
export type ValidationCode = (typeof validationCodes)[number];

export interface ValidationScope {
  /** Normalised domain, if the client gave one. */
  domain?: string | undefined;
  /** Normalised device UUID, if the client gave one. */
  device?: string | undefined;
  /** Product id or slug, if the client gave one. */
  product?: string | undefined;
}

export interface ValidationResult {
  valid: boolean;
  code: ValidationCode;
  detail: string;
}

const details: Record<ValidationCode, string> = {
  NOT_FOUND: 'No license matches this key.',
  REVOKED: 'This license has been revoked.',
  SUSPENDED: 'This license is suspended.',
  EXPIRED: 'This license has expired.',
  PRODUCT_MISMATCH: 'This key belongs to another product.',
  DOMAIN_REQUIRED: 'This key is locked to domains: give the domain to check.',
  DEVICE_REQUIRED: 'This key is locked to devices: give the device to check.',
  NOT_ACTIVATED: 'This key is not activated on the given domain or device.',
  TOKENS_EXHAUSTED: 'This key has no tokens left.',
  VALID: 'The license is valid.',
};

export function result(code: ValidationCode): ValidationResult {
  return { valid: code === 'VALID', code, detail: details[code] };
}

/** Status as clients see it: `expired` is derived from the expiry, never stored. */
export function effectiveStatus(license: Pick<License, 'status' | 'expiresAt'>, now: number): LicenseStatus {
  if (license.status !== 'active') return license.status;
  return license.expiresAt !== null && license.expiresAt <= now ? 'expired' : 'active';
}

/** The checks every operation on a key shares, in the documented order. */
export function standingCode(
  license: LicenseState,
  product: string | undefined,
  now: number,
): 'REVOKED' | 'SUSPENDED' | 'EXPIRED' | 'PRODUCT_MISMATCH' | null {
  if (license.status === 'revoked') return 'REVOKED';
  if (license.status === 'suspended' || license.accountStatus === 'suspended') return 'SUSPENDED';
  if (license.expiresAt !== null && license.expiresAt <= now) return 'EXPIRED';
  if (product !== undefined && product !== license.productId && product !== license.productSlug) {
    return 'PRODUCT_MISMATCH';
  }
  return null;
}

/**
 * Validates a license against what the client asked about. Pure: the caller looks up the
 * license and, for locked keys, the matching activation, and passes the clock in.
 */
export function validate(
  license: LicenseState | null,
  scope: ValidationScope,
  activation: Activation | null,
  now: number,
): ValidationResult {
  if (license === null) return result('NOT_FOUND');
  const standing = standingCode(license, scope.product, now);
  if (standing) return result(standing);
  if (license.lock === 'domain' && scope.domain === undefined) return result('DOMAIN_REQUIRED');
  if (license.lock === 'device' && scope.device === undefined) return result('DEVICE_REQUIRED');
  if (license.lock !== 'none' && (activation === null || activation.deactivatedAt !== null)) {
    return result('NOT_ACTIVATED');
  }
  if (license.tokensRemaining !== null && license.tokensRemaining <= 0) return result('TOKENS_EXHAUSTED');
  return result('VALID');
}

/** Why a consume is refused before the balance is looked at: the license's standing, or no budget. */
export function consumeRefusal(license: LicenseState, now: number): 'REVOKED' | 'SUSPENDED' | 'EXPIRED' | 'NO_TOKEN_BUDGET' | null {
  const standing = standingCode(license, undefined, now);
  if (standing && standing !== 'PRODUCT_MISMATCH') return standing;
  return license.tokensRemaining === null ? 'NO_TOKEN_BUDGET' : null;
}
