import { randomFillSync } from 'node:crypto';
import { base32 } from '../crypto/keys.js';

// Random bytes are drawn from the CSPRNG in blocks: one system call serves hundreds of ids.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function random10(): Buffer {
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += 10;
  return pool.subarray(offset - 10, offset);
}

/**
 * Prefixed, time-ordered identifiers (`lic_06H1...`): 48 bits of milliseconds then 80 random
 * bits in Crockford base32, so ids sort by creation and serve as stable pagination cursors.
 */
export function newId(prefix: string, now = Date.now()): string {
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(Math.max(0, Math.floor(now)), 0, 6);
  random10().copy(bytes, 6);
  return `${prefix}_${base32(bytes, 25)}`;
}
