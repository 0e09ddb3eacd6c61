import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { randomBytesPooled } from './random.js';

/** Crockford's base32 alphabet: no I, L, O or U, so a key can be read aloud without confusion. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUPS = 6;
const GROUP_SIZE = 5;
/** 30 characters of 5 bits each: 150 bits of randomness. */
export const KEY_RANDOM_BITS = GROUPS * GROUP_SIZE * 5;
export const MAX_KEY_LENGTH = 256;
export const MIN_IMPORTED_KEY_LENGTH = 8;

export function base32(bytes: Buffer, chars: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** A new key such as `MYPLUGIN-3KQ9T-W7ZRM-...`: six groups of five, with an optional product prefix. */
export function generateKey(prefix?: string | null): string {
  const chars = GROUPS * GROUP_SIZE;
  const body = base32(randomBytesPooled(Math.ceil((chars * 5) / 8)), chars);
  const groups: string[] = [];
  for (let i = 0; i < chars; i += GROUP_SIZE) groups.push(body.slice(i, i + GROUP_SIZE));
  const key = groups.join('-');
  return prefix ? `${prefix.toUpperCase()}-${key}` : key;
}

/** Keys match ignoring case, spaces and dashes: this is the form that is digested. */
export function normalizeKey(key: string): string {
  return key.replace(/[\s-]+/g, '').toUpperCase();
}

export const KEY_PREFIX_RE = /^[A-Za-z0-9]{1,16}$/;

/**
 * The two secrets that protect keys at rest. A database copy holds only digests (which cannot
 * be reversed without `digestSecret`) and ciphertexts (which need `encryptionKey`).
 */
export class KeyVault {
  constructor(
    private readonly digestSecret: Buffer,
    private readonly encryptionKey: Buffer,
  ) {
    if (encryptionKey.length !== 32) throw new Error('the key-encryption key must be 32 bytes');
  }

  digest(key: string): string {
    return createHmac('sha256', this.digestSecret).update(normalizeKey(key)).digest('base64url');
  }

  /**
   * A keyed digest of a non-key value (a data subject's email, IP...), separated from key
   * digests by its label: records can name a person without holding the identifier.
   */
  tag(label: string, value: string): string {
    return createHmac('sha256', this.digestSecret).update(`${label}\u0000${value}`).digest('base64url');
  }

  encrypt(key: string): string {
    const iv = randomBytesPooled(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const ct = Buffer.concat([cipher.update(key, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  decrypt(sealed: string): string {
    const buf = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, buf.subarray(0, 12));
    decipher.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
  }
}
