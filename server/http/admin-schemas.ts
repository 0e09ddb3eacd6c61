import { z } from 'zod';
import { KEY_PREFIX_RE } from '../crypto/keys.js';
import { LICENSE_SORTS, SORT_ORDERS } from '../store/store.js';
import { keyField, LicenseView } from './schemas.js';

const iso = z.string().describe('ISO 8601 time in UTC');
const isoInput = z.iso.datetime({ offset: true }).describe('ISO 8601 date-time');
const metadata = z.record(z.string(), z.unknown())
  .refine((m) => Buffer.byteLength(JSON.stringify(m)) <= 4096, 'must be at most 4 KiB of JSON')
  .describe('Free-form JSON object, at most 4 KiB');
const slug = z.string().min(1).max(64).regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lower-case letters, digits and dashes');
const lock = z.enum(['none', 'domain', 'device']);
const count = z.number().int().min(0).max(1_000_000_000);
const email = z.email().max(254);

export const ProductCreate = z.strictObject({
  name: z.string().trim().min(1).max(200),
  slug,
  keyPrefix: z.string().regex(KEY_PREFIX_RE, '1 to 16 letters or digits').nullable().optional(),
  metadata: metadata.optional(),
});
export const ProductPatch = ProductCreate.partial();
export const ProductView = z.object({
  id: z.string(), name: z.string(), slug: z.string(), keyPrefix: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()), createdAt: iso, updatedAt: iso,
});

export const PolicyCreate = z.strictObject({
  product: z.string().min(1).max(128).describe('Product id or slug'),
  name: z.string().trim().min(1).max(200),
  durationDays: z.number().int().min(1).max(36500).nullable().optional(),
  lock: lock.optional(),
  maxActivations: count.nullable().optional(),
  tokens: count.nullable().optional(),
});
export const PolicyPatch = PolicyCreate.omit({ product: true }).partial();
export const PolicyView = z.object({
  id: z.string(), product: z.string().describe('Product id'), name: z.string(), durationDays: z.number().int().nullable(),
  lock, maxActivations: z.number().int().nullable(), tokens: z.number().int().nullable(), createdAt: iso, updatedAt: iso,
});

export const LicenseCreate = z.strictObject({
  product: z.string().min(1).max(128).describe('Product id or slug'),
  policy: z.string().min(1).max(128).optional().describe('Policy id whose defaults apply'),
  lock: lock.optional(),
  maxActivations: count.nullable().optional(),
  tokens: count.nullable().optional(),
  expiresAt: isoInput.nullable().optional(),
  email: email.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  key: keyField.optional().describe('Import an existing key instead of generating one'),
  metadata: metadata.optional(),
});
export const LicensePatch = z.strictObject({
  lock: lock.optional(),
  maxActivations: count.nullable().optional(),
  expiresAt: isoInput.nullable().optional(),
  email: email.nullable().optional(),
  name: z.string().trim().min(1).max(200).nullable().optional(),
  metadata: metadata.optional(),
});
export const AdminLicenseView = LicenseView.extend({
  productId: z.string(),
  policy: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: iso,
  updatedAt: iso,
});
export const LicenseQuery = z.object({
  status: z.enum(['active', 'suspended', 'revoked', 'expired']).optional(),
  product: z.string().max(128).optional(),
  email: z.string().max(254).optional(),
  q: z.string().max(256).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.enum(LICENSE_SORTS).default('createdAt')
    .describe('createdAt: creation order (the id order); expiresAt: expiry date, licenses that never expire after every dated one. Ties are broken by id.'),
  order: z.enum(SORT_ORDERS).default('desc').describe('desc: newest (or latest expiry) first; asc: the reverse'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page, with the same sort and order'),
});
export const RenewBody = z.strictObject({
  days: z.number().int().min(1).max(36500).optional(),
  expiresAt: isoInput.optional(),
}).refine((b) => !(b.days !== undefined && b.expiresAt !== undefined), 'give days or expiresAt, not both');
export const AddTokensBody = z.strictObject({ amount: z.number().int().min(1).max(1_000_000_000) });
export const EmptyBody = z.strictObject({});

export const AdminActivationView = z.object({
  id: z.string(), domain: z.string().nullable(), device: z.string().nullable(), label: z.string().nullable(),
  development: z.boolean(), createdAt: iso, lastSeenAt: iso, deactivatedAt: iso.nullable(),
});

export const scopeEnum = z.enum(['read', 'write', 'admin']);
export const TokenCreate = z.strictObject({
  name: z.string().trim().min(1).max(200),
  scopes: z.array(scopeEnum).min(1).max(3),
});
export const TokenView = z.object({
  id: z.string(), name: z.string(), scopes: z.array(scopeEnum), createdAt: iso, lastUsedAt: iso.nullable(), revokedAt: iso.nullable(),
});
export const AccountCreate = z.strictObject({ name: z.string().trim().min(1).max(200) });
export const AccountView = z.object({
  id: z.string(), name: z.string(), status: z.enum(['active', 'suspended']), operator: z.boolean(),
  apiSuspendedAt: iso.nullable(), createdAt: iso, updatedAt: iso,
});
