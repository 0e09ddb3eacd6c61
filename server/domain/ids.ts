import { randomBytesPooled } from '../crypto/random.js';
import { base32 } from '../crypto/keys.js';

/**
 * Prefixed, time-ordered identifiers (`lic_06H1...`): 48 bits of milliseconds then 80 random
 * bits in Crockford base32, so ids sort by creation and serve as stable pagination cursors.
 */
export function newId(prefix: string, now = Date.now()): string {
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(Math.max(0, Math.floor(now)), 0, 6);
  randomBytesPooled(10).copy(bytes, 6);
  return `${prefix}_${base32(bytes, 25)}`;
}
