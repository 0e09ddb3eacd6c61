import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../../server/domain/ids.js';
import {
  activationIdentity, IDENTITY_SPAN, licensePrefix, licensePrefixSql, targetHash,
} from '../../server/store/sqlite/identity.js';

// The SQLite store computes a license's prefix in SQL (the delete trigger, range queries) and
// in JS (lookups and inserts): an activation is found only if both give the same number.
describe('activation identity (SQLite store)', () => {
  const db = new Database(':memory:');
  const sqlPrefix = db.prepare(`SELECT ${licensePrefixSql('@id')} AS p`).pluck();

  it('computes the same license prefix in JS as in SQL, for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (id) => {
      expect(licensePrefix(id)).toBe(sqlPrefix.get({ id }));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZabc-_é😀'), maxLength: 12 }), (id) => {
      expect(licensePrefix(id)).toBe(sqlPrefix.get({ id }));
    }), { numRuns: 2000 });
    for (const id of ['', 'a', 'lic_', 'ZZZZZZ', newId('lic')]) expect(licensePrefix(id)).toBe(sqlPrefix.get({ id }));
  });

  it('spreads generated license ids over 30 bits and keeps identities within the license\'s range', () => {
    const ids = Array.from({ length: 5000 }, () => newId('lic'));
    const prefixes = new Set(ids.map(licensePrefix));
    expect(prefixes.size).toBeGreaterThan(4990); // 5,000 random 30-bit values: a handful of collisions at most
    for (const id of ids.slice(0, 200)) {
      for (const [domain, device] of [['example.com', null], [null, 'c0ffee00-0000-4000-8000-000000000001']] as const) {
        const identity = activationIdentity(id, domain, device);
        expect(Number.isSafeInteger(identity)).toBe(true);
        expect(identity).toBeGreaterThanOrEqual(licensePrefix(id) * IDENTITY_SPAN);
        expect(identity).toBeLessThan((licensePrefix(id) + 1) * IDENTITY_SPAN);
      }
    }
    expect(targetHash('example.com', null)).not.toBe(targetHash(null, 'example.com')); // a domain and a device differ
  });
});
