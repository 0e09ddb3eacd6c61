import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKey, KeyVault, KEY_RANDOM_BITS, normalizeKey } from '../../server/crypto/keys.js';

const vault = new KeyVault(randomBytes(32), randomBytes(32));
const CROCKFORD = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]+$/;

describe('generated keys', () => {
  it('have at least 128 bits of randomness in six readable groups', () => {
    expect(KEY_RANDOM_BITS).toBeGreaterThanOrEqual(128);
    const key = generateKey();
    expect(key).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){5}$/);
    expect(key.replaceAll('-', '')).toMatch(CROCKFORD);
  });

  it('never use the ambiguous letters I, L, O or U', () => {
    const sample = Array.from({ length: 2000 }, () => generateKey()).join('');
    expect(sample).not.toMatch(/[ILOU]/);
  });

  it('are unique across many draws', () => {
    const keys = new Set(Array.from({ length: 20000 }, () => generateKey()));
    expect(keys.size).toBe(20000);
  });

  it('carry the product prefix in upper case', () => {
    expect(generateKey('myPlugin')).toMatch(/^MYPLUGIN-[0-9A-Z]{5}(-[0-9A-Z]{5}){5}$/);
  });
});

describe('key matching', () => {
  it('ignores case, spaces and dashes', () => {
    const key = generateKey();
    const variants = [key.toLowerCase(), key.replaceAll('-', ''), key.replaceAll('-', ' '), ` ${key.replaceAll('-', ' - ')} `];
    for (const v of variants) expect(vault.digest(v)).toBe(vault.digest(key));
    expect(normalizeKey('ab-cd ef')).toBe('ABCDEF');
  });

  it('distinguishes different keys', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
      fc.pre(normalizeKey(a) !== normalizeKey(b));
      expect(vault.digest(a)).not.toBe(vault.digest(b));
    }));
  });

  it('depends on the server secret', () => {
    const other = new KeyVault(randomBytes(32), randomBytes(32));
    const key = generateKey();
    expect(other.digest(key)).not.toBe(vault.digest(key));
  });
});

describe('key encryption', () => {
  it('round-trips any key and never stores it in the clear', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 256 }), (key) => {
      const sealed = vault.encrypt(key);
      expect(vault.decrypt(sealed)).toBe(key);
      if (key.length >= 4) expect(Buffer.from(sealed, 'base64').includes(Buffer.from(key))).toBe(false);
    }));
  });

  it('uses a fresh nonce every time', () => {
    expect(vault.encrypt('SAME-KEY')).not.toBe(vault.encrypt('SAME-KEY'));
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = Buffer.from(vault.encrypt('ABCDE-FGHJK'), 'base64');
    sealed.writeUInt8(sealed.readUInt8(sealed.length - 1) ^ 1, sealed.length - 1);
    expect(() => vault.decrypt(sealed.toString('base64'))).toThrow();
  });

  it('cannot be opened with another encryption key', () => {
    const other = new KeyVault(randomBytes(32), randomBytes(32));
    expect(() => other.decrypt(vault.encrypt('ABCDE-FGHJK'))).toThrow();
  });
});
