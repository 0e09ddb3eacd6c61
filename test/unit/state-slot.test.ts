import { createHmac, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLOT_PROBES, stateRowParams, stateSlot, stateSlotSql } from '../../server/store/sqlite/state-slot.js';

// The SQLite store computes a digest's slot in SQL (the delete trigger, joins from licenses,
// migration 8) and in JS (the license API's lookups, inserts): a license's state row is found
// only if both give the same number.
describe('license state slot (SQLite store)', () => {
  const db = new Database(':memory:');
  const sqlSlot = db.prepare(`SELECT ${stateSlotSql('@d')}`).pluck();

  it('computes the same slot in JS as in SQL, for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (d) => {
      expect(stateSlot(d)).toBe(sqlSlot.get({ d }));
    }), { numRuns: 2000 });
    const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...base64url, '=', '+', 'é', '😀'), maxLength: 12 }), (d) => {
      expect(stateSlot(d)).toBe(sqlSlot.get({ d }));
    }), { numRuns: 2000 });
    for (const d of ['', 'A', '________', '_________', '__________x', 'AAAAAAAAB']) expect(stateSlot(d)).toBe(sqlSlot.get({ d }));
  });

  it('takes 52 bits from a key digest: safe integers, its range included, spread over the space', () => {
    expect(stateSlot('_________')).toBe(2 ** 52 - 1); // all ones: the largest slot
    expect(stateSlot('AAAAAAAAD')).toBe(0); // the 9th character gives its top 4 bits only
    expect(stateSlot('AAAAAAAAE')).toBe(1);
    const digests = Array.from({ length: 5000 }, () => createHmac('sha256', 'k').update(randomBytes(16)).digest('base64url'));
    const slots = new Set(digests.map(stateSlot));
    expect(slots.size).toBe(5000); // 5,000 random 52-bit values: a collision is a 1-in-a-billion event
    for (const d of digests.slice(0, 100)) {
      const [low, high, digest] = stateRowParams(d);
      expect(Number.isSafeInteger(high)).toBe(true);
      expect(high - low).toBe(SLOT_PROBES - 1);
      expect(digest).toBe(d);
    }
    expect(Math.max(...slots)).toBeGreaterThan(2 ** 51); // the upper half is used too
  });
});
