import { describe, expect, it } from 'vitest';
import { effectiveStatus, validate, validationCodes } from '../../server/domain/validation.js';
import type { Activation, LicenseState } from '../../server/domain/types.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function license(overrides: Partial<LicenseState> = {}): LicenseState {
  return {
    id: 'lic_1', accountId: 'acc_1', productId: 'prd_1', productSlug: 'plugin', status: 'active', expiresAt: null,
    lock: 'none', maxActivations: null, activationCount: 0, tokensRemaining: null, tokensTotal: null,
    accountStatus: 'active', ...overrides,
  };
}

const activation: Activation = {
  id: 'act_1', licenseId: 'lic_1', domain: 'example.com', device: null, label: null, development: false,
  createdAt: NOW, lastSeenAt: NOW, deactivatedAt: null,
};

describe('validate', () => {
  it('answers NOT_FOUND without a license', () => {
    expect(validate(null, {}, null, NOW)).toEqual({ valid: false, code: 'NOT_FOUND', detail: expect.any(String) });
  });

  it('answers VALID for a plain active license', () => {
    expect(validate(license(), {}, null, NOW)).toMatchObject({ valid: true, code: 'VALID' });
  });

  it.each([
    ['REVOKED', license({ status: 'revoked' }), {}, null],
    ['SUSPENDED', license({ status: 'suspended' }), {}, null],
    ['SUSPENDED', license({ accountStatus: 'suspended' }), {}, null],
    ['EXPIRED', license({ expiresAt: NOW - 1 }), {}, null],
    ['EXPIRED', license({ expiresAt: NOW }), {}, null],
    ['PRODUCT_MISMATCH', license(), { product: 'other' }, null],
    ['DOMAIN_REQUIRED', license({ lock: 'domain' }), {}, null],
    ['DEVICE_REQUIRED', license({ lock: 'device' }), { domain: 'example.com' }, null],
    ['NOT_ACTIVATED', license({ lock: 'domain' }), { domain: 'example.com' }, null],
    ['NOT_ACTIVATED', license({ lock: 'domain' }), { domain: 'example.com' }, { ...activation, deactivatedAt: NOW - 5 }],
    ['TOKENS_EXHAUSTED', license({ tokensRemaining: 0, tokensTotal: 5 }), {}, null],
    ['VALID', license({ lock: 'domain' }), { domain: 'example.com' }, activation],
    ['VALID', license({ tokensRemaining: 1, tokensTotal: 5 }), {}, null],
    ['VALID', license({ expiresAt: NOW + 1 }), { product: 'plugin' }, null],
    ['VALID', license(), { product: 'prd_1' }, null],
  ] as const)('answers %s', (code, lic, scope, act) => {
    const r = validate(lic, scope, act, NOW);
    expect(r.code).toBe(code);
    expect(r.valid).toBe(code === 'VALID');
  });

  it('checks in the documented order: the first failing check wins', () => {
    // Start with every check failing, then cure one cause at a time: each step reveals the next code.
    const broken = license({
      status: 'revoked', accountStatus: 'suspended', expiresAt: NOW - 1, lock: 'domain', tokensRemaining: 0, tokensTotal: 1,
    });
    const steps: Array<[string, LicenseState, { product?: string; domain?: string }, Activation | null]> = [
      ['REVOKED', broken, { product: 'other' }, null],
      ['SUSPENDED', { ...broken, status: 'active' }, { product: 'other' }, null],
      ['EXPIRED', { ...broken, status: 'active', accountStatus: 'active' }, { product: 'other' }, null],
      ['PRODUCT_MISMATCH', { ...broken, status: 'active', accountStatus: 'active', expiresAt: null }, { product: 'other' }, null],
      ['DOMAIN_REQUIRED', { ...broken, status: 'active', accountStatus: 'active', expiresAt: null }, {}, null],
      ['NOT_ACTIVATED', { ...broken, status: 'active', accountStatus: 'active', expiresAt: null }, { domain: 'example.com' }, null],
      ['TOKENS_EXHAUSTED', { ...broken, status: 'active', accountStatus: 'active', expiresAt: null }, { domain: 'example.com' }, activation],
      ['VALID', { ...broken, status: 'active', accountStatus: 'active', expiresAt: null, tokensRemaining: 1 }, { domain: 'example.com' }, activation],
    ];
    for (const [code, lic, scope, act] of steps) expect(validate(lic, scope, act, NOW).code).toBe(code);
    // DEVICE_REQUIRED sits between DOMAIN_REQUIRED and NOT_ACTIVATED for device-locked keys.
    expect(validate(license({ lock: 'device', tokensRemaining: 0, tokensTotal: 1 }), { domain: 'example.com' }, null, NOW).code)
      .toBe('DEVICE_REQUIRED');
    expect(validationCodes).toEqual([
      'NOT_FOUND', 'REVOKED', 'SUSPENDED', 'EXPIRED', 'PRODUCT_MISMATCH', 'DOMAIN_REQUIRED', 'DEVICE_REQUIRED', 'NOT_ACTIVATED', 'TOKENS_EXHAUSTED', 'VALID',
    ]);
  });

  it('ignores domain and device for unlocked keys', () => {
    expect(validate(license(), { domain: 'anything.com', device: 'x' }, null, NOW).code).toBe('VALID');
  });
});

describe('effectiveStatus', () => {
  it('derives expired from the expiry, never stored', () => {
    expect(effectiveStatus(license({ expiresAt: NOW - 1 }), NOW)).toBe('expired');
    expect(effectiveStatus(license({ expiresAt: NOW + 1 }), NOW)).toBe('active');
    expect(effectiveStatus(license({ status: 'suspended', expiresAt: NOW - 1 }), NOW)).toBe('suspended');
  });
});
