// Where an activation sits in the `activations_identity` index (SQLite store, migration 7).
//
// The index used to hold (license_id, domain, device) per activation, about 60 bytes: a 2 KiB
// page held some 34 entries, and as activations arrive at random places in it, SQLite's
// rebalancing of full pages made an activation write 1.7 index pages on average (measured on
// the WAL of a benchmark run). It now holds one integer, `identity`:
//
//   identity = licensePrefix(license_id) * 2^23 + targetHash(domain or device)
//
// about 15 bytes an entry. The 30-bit license prefix comes from the last six characters of
// the license id (random base32 in the ids BatchKeys makes); the 23-bit target hash from the
// domain or device. All of a license's activations lie in one range of the index, and an
// activation is found by its exact identity. Neither part is unique: every query also checks
// `license_id` (and the domain or device) on the row it finds.
//
// The prefix exists twice, in SQL (for the licenses' delete trigger, which must find a
// license's activations without application code, and for the range queries) and in JS (for
// the license API's lookups and inserts, where the SQL expression with named parameters cost
// 1 µs a statement). The two agree on every string (a property test checks it).

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TARGET_BITS = 23;
/** Identities of one license lie in [prefix * SPAN, prefix * SPAN + SPAN). */
export const IDENTITY_SPAN = 2 ** TARGET_BITS;

/** SQL for the license prefix of `x` (an SQL expression: a column or a named parameter). */
export function licensePrefixSql(x: string): string {
  const digits: string[] = [];
  for (let k = 1; k <= 6; k++) digits.push(`max(instr('${ALPHABET}', substr(${x}, -${k}, 1)) - 1, 0) * ${32 ** (k - 1)}`);
  return `(${digits.join(' + ')})`;
}

/** The license prefix in JS: the same number as licensePrefixSql for any string. */
export function licensePrefix(licenseId: string): number {
  // SQLite's substr counts characters (code points), as Array.from does; a string shorter than
  // six characters gives '' for the missing ones, which instr() finds at 1 (digit 0). The ids
  // BatchKeys makes are ASCII: their last six UTF-16 units are their last six characters.
  let ascii = true;
  for (let i = Math.max(0, licenseId.length - 6); i < licenseId.length; i++) if (licenseId.charCodeAt(i) > 0x7f) ascii = false;
  const chars = ascii ? licenseId.slice(-6) : Array.from(licenseId);
  let prefix = 0;
  for (let k = 1; k <= 6; k++) {
    const c = chars[chars.length - k];
    prefix += Math.max(c === undefined ? 0 : ALPHABET.indexOf(c), 0) * 32 ** (k - 1);
  }
  return prefix;
}

/** The identity of an activation (the value the index holds). */
export const activationIdentity = (licenseId: string, domain: string | null, device: string | null): number =>
  licensePrefix(licenseId) * IDENTITY_SPAN + targetHash(domain, device);

/** SQL for the identity of an activation of license `license` whose target hash is `target`. */
export const identitySql = (license: string, target: string): string =>
  `${licensePrefixSql(license)} * ${IDENTITY_SPAN} + ${target}`;

/** SQL condition: the activations of license `license` (through the index, then checked). */
export function licenseActivationsSql(license: string, table = 'activations'): string {
  const first = `${licensePrefixSql(license)} * ${IDENTITY_SPAN}`;
  return `${table}.identity BETWEEN ${first} AND ${first} + ${IDENTITY_SPAN - 1} AND ${table}.license_id = ${license}`;
}

/** The 23-bit hash of what an activation is for (FNV-1a of `d:<domain>` or `v:<device>`). */
export function targetHash(domain: string | null, device: string | null): number {
  const s = domain !== null ? `d:${domain}` : `v:${device ?? ''}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & (IDENTITY_SPAN - 1);
}
