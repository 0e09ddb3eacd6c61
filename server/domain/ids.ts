import { randomBytes } from 'node:crypto';
import { base32 } from '../crypto/keys.js';

/**
 * Prefixed, time-ordered identifiers (`lic_01JD...`): 48 bits of milliseconds then 80 random
 * bits in Crockford base32, so ids sort by creation and serve as stable pagination cursors.
 */
export function newId(prefix: string, now = Date.now()): string {
  const time = Buffer.alloc(6);
  time.writeUIntBE(Math.max(0, Math.floor(now)), 0, 6);
  return `${prefix}_${base32(Buffer.concat([time, randomBytes(10)]), 25)}`;
}
