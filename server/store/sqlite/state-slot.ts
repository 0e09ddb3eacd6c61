// Where a license's state row sits in `license_state` (SQLite store, migration 8).
//
// license_state was a WITHOUT ROWID table keyed by the key digest (43 characters). SQLite keeps
// such a table as an index B-tree whose interior cells hold whole rows, so a 2 KiB interior page
// held about ten: 1M licenses made a tree five levels deep, and a validation spent 8 µs in the
// lookup. The table is now a rowid table whose rowid, `slot`, comes from the digest:
//
//   slot = the first 52 bits of the digest (its first 8 base64url characters and 4 bits of the 9th)
//
// Interior cells of a rowid table hold only the rowid: the tree is three levels deep, and the
// lookup is an integer search (6.5 µs, measured on 1M licenses).
//
// A slot is not unique to a digest: a row goes to the first free slot of [slot, slot + 7]
// (with 1M licenses, two digests share 52 bits with a probability of about 1 in 10,000), and
// every query finds a license by that range and checks `key_digest` on the row. The insert
// reads the range first: that is what keeps a digest unique (the table has no index on it).
//
// The slot exists twice, in SQL (for the licenses' delete trigger and for joins that lead from
// `licenses`) and in JS (for the license API's lookups and the inserts). The two agree on every
// string (a property test checks it).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** A digest's row is in [slot, slot + SLOT_PROBES - 1]. */
export const SLOT_PROBES = 8;

/** SQL for the slot of `x` (an SQL expression: a column, `OLD.key_digest`...). */
export function stateSlotSql(x: string): string {
  const digit = (k: number) => `max(instr('${ALPHABET}', substr(${x}, ${k}, 1)) - 1, 0)`;
  const terms: string[] = [];
  for (let k = 1; k <= 8; k++) terms.push(`${digit(k)} * ${64 ** (8 - k) * 16}`);
  terms.push(`${digit(9)} / 4`);
  return `(${terms.join(' + ')})`;
}

/** Each ASCII character's digit (0 for those outside the alphabet, as max(instr() - 1, 0) gives). */
const DIGITS = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) DIGITS[ALPHABET.charCodeAt(i)] = i;

/** The slot in JS: the same number as stateSlotSql for any string. */
export function stateSlot(digest: string): number {
  // SQLite's substr counts characters (code points); a string shorter than nine characters
  // gives '' for the missing ones, which instr() finds at 1 (digit 0). Digests are ASCII: their
  // first nine UTF-16 units are their first nine characters. Other strings go by code point.
  let slot = 0;
  for (let k = 0; k < 9; k++) {
    const c = digest.charCodeAt(k);
    if (c > 0x7f) return slotOfCodePoints(digest);
    const d = c < 0x80 ? DIGITS[c]! : 0; // NaN past the end: digit 0
    slot = k < 8 ? slot * 64 + d : slot * 16 + (d >> 2);
  }
  return slot;
}

function slotOfCodePoints(s: string): number {
  const chars = Array.from(s);
  let slot = 0;
  for (let k = 0; k < 9; k++) {
    const c = chars[k];
    const d = c === undefined ? 0 : Math.max(ALPHABET.indexOf(c), 0);
    slot = k < 8 ? slot * 64 + d : slot * 16 + (d >> 2);
  }
  return slot;
}

/** SQL condition: the state row of the digest `digest` whose slot is `slot` (both SQL expressions). */
export const stateRowSql = (slot: string, digest: string, table = 'license_state'): string =>
  `${table}.slot BETWEEN ${slot} AND ${slot} + ${SLOT_PROBES - 1} AND ${table}.key_digest = ${digest}`;

/** SQL condition with parameters: a digest's state row, taking `...stateRowParams(digest)`. */
export const STATE_ROW = (table = 'license_state'): string => `${table}.slot BETWEEN ? AND ? AND ${table}.key_digest = ?`;

/** The parameters of STATE_ROW for `digest`. */
export function stateRowParams(digest: string): [number, number, string] {
  const slot = stateSlot(digest);
  return [slot, slot + SLOT_PROBES - 1, digest];
}

