import { z } from 'zod';
import { MAX_KEY_LENGTH } from '../crypto/keys.js';
import { normalizeDevice, normalizeDomain } from '../domain/hosts.js';
import { validationCodes } from '../domain/validation.js';

/**
 * Request and response schemas of the license API. They validate at the edge, give the
 * handlers their types, and generate the OpenAPI document.
 */
export const keyField = z.string().min(1).max(MAX_KEY_LENGTH).describe('The license key; case, spaces and dashes are ignored.');

/** A string field that a normaliser turns into its canonical form, or refuses with `message`. */
const normalized = (max: number, normalize: (s: string) => string | null, message: string) =>
  z.string().max(max).transform((s, ctx) => {
    const value = normalize(s);
    if (value !== null) return value;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });

export const domainField = normalized(2048, normalizeDomain, 'must be a host name or URL of at most 253 characters')
  .describe('Host name or URL; normalised (lower case, no scheme, path, port, leading www. or trailing dot; IDN as punycode).');

export const deviceField = normalized(64, normalizeDevice, 'must be a UUID').describe('Device UUID, any case.');

export const productField = z.string().min(1).max(128).describe('Product id or slug.');

export const ValidateRequest = z.strictObject({
  key: keyField,
  domain: domainField.optional(),
  device: deviceField.optional(),
  product: productField.optional(),
  nonce: z.string().max(128).optional().describe('Echoed in meta.nonce, to bind the signed answer to this request.'),
});

export const ActivateRequest = z.strictObject({
  key: keyField,
  domain: domainField.optional(),
  device: deviceField.optional(),
  label: z.string().max(100).optional(),
  product: productField.optional(),
});

export const DeactivateRequest = z.strictObject({
  key: keyField,
  domain: domainField.optional(),
  device: deviceField.optional(),
});

export const ConsumeRequest = z.strictObject({
  key: keyField,
  amount: z.number().int().min(1).max(1_000_000),
  idempotencyKey: z.string().min(1).max(128).optional(),
});

const iso = z.string().describe('ISO 8601 time in UTC');

export const LicenseView = z.object({
  id: z.string(),
  product: z.string().describe('Product slug'),
  status: z.enum(['active', 'suspended', 'revoked', 'expired']),
  expiresAt: iso.nullable(),
  lock: z.enum(['none', 'domain', 'device']),
  maxActivations: z.number().int().nullable().describe('null: unlimited'),
  activations: z.number().int().describe('Activations that count against the limit (not development ones)'),
  tokens: z.object({ remaining: z.number().int(), total: z.number().int() }).nullable(),
});

export const ActivationView = z.object({
  id: z.string(),
  domain: z.string().nullable(),
  device: z.string().nullable(),
  label: z.string().nullable(),
  development: z.boolean(),
  createdAt: iso,
});

export const ValidateResponse = z.object({
  valid: z.boolean(),
  code: z.enum(validationCodes),
  detail: z.string(),
  license: LicenseView.nullable(),
  meta: z.object({ ts: iso, nonce: z.string().optional() }),
});

export const ActivateResponse = z.object({ activation: ActivationView, license: LicenseView });
export const DeactivateResponse = z.object({ deactivated: z.literal(true), license: LicenseView });
export const ConsumeResponse = z.object({ consumed: z.number().int(), remaining: z.number().int(), license: LicenseView });
export const SigningKeyResponse = z.object({
  algorithm: z.literal('ed25519'),
  publicKey: z.string().describe('Base64 of the 32 raw bytes'),
  pem: z.string(),
});

export const ProblemView = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export type LicenseViewT = z.infer<typeof LicenseView>;
export type ActivationViewT = z.infer<typeof ActivationView>;
export type ValidateResponseT = z.infer<typeof ValidateResponse>;
