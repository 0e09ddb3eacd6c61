// The license CSV for the import, and the pools of keys the load phase draws from.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32
export const TOKENS = 100000;

export const COLUMNS = ['key', 'product', 'lock', 'maxActivations', 'tokens', 'expiresAt', 'email', 'name', 'status', 'metadata'];

/** n keys XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX: 30 symbols, 150 bits from the CSPRNG. */
function* keys(n) {
  const batch = 10000;
  const text = Buffer.alloc(batch * 35);
  for (let done = 0; done < n; done += batch) {
    const count = Math.min(batch, n - done);
    const bytes = randomBytes(count * 30);
    let o = 0;
    for (let b = 0; b < count * 30; b++) {
      if (b % 5 === 0 && b % 30 !== 0) text[o++] = 0x2d; // '-'
      text[o++] = ALPHABET.charCodeAt(bytes[b] & 31); // 256 is a multiple of 32: no bias
    }
    // Sliced from a buffer, each key is one flat string (built char by char, it would be a
    // rope of ~30 nodes, and the pools hold hundreds of thousands of them).
    for (let k = 0; k < count; k++) yield text.toString('latin1', k * 35, k * 35 + 35);
  }
}

/**
 * Writes n licenses to `file` for product `product`, in three equal kinds:
 *   0: lock none, no tokens (perpetual)        -> validate pool
 *   1: lock none, tokens 100000               -> validate pool; a sample is the consume pool
 *   2: lock domain, unlimited activations     -> a sample is the activate pool
 * The consume and activate pools are small samples on purpose: after the load they are read
 * back key by key through the public API to check that no request was lost or counted twice.
 */
export async function writeLicenses(file, n, product, { sample = 1000 } = {}) {
  const out = createWriteStream(file);
  const validate = [];
  const tokenKeys = [];
  const domainKeys = [];
  let chunk = `${COLUMNS.join(',')}\n`;
  let i = 0;
  for (const key of keys(n)) {
    const kind = i % 3;
    const lock = kind === 2 ? 'domain' : 'none';
    const tokens = kind === 1 ? TOKENS : '';
    chunk += `${key},${product},${lock},,${tokens},,bench${i}@example.com,Bench User ${i},active,\n`;
    if (kind === 2) domainKeys.push(key);
    else validate.push(key);
    if (kind === 1) tokenKeys.push(key);
    if (++i % 5000 === 0) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return { validate, consume: spread(tokenKeys, sample), activate: spread(domainKeys, sample) };
}

/** `count` items evenly spread over `list` (not the first ones: rows inserted together may sit together). */
function spread(list, count) {
  const step = Math.max(1, Math.floor(list.length / count));
  const picked = [];
  for (let i = 0; i < list.length && picked.length < count; i += step) picked.push(list[i]);
  return picked;
}
