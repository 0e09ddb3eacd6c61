import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import sodium from 'sodium-native';
import { SigningThread } from './signing-thread.js';

/**
 * Ed25519 response signatures. Signing is the dominant cost of a license answer, so it goes
 * through libsodium (about twice as fast as `crypto.sign` here); the public key is published
 * in the raw and PEM forms clients expect.
 */
export class Signer {
  private readonly secretKey: Buffer;
  readonly publicKey: Buffer;
  readonly publicKeyPem: string;

  constructor(seed: Buffer) {
    if (seed.length !== 32) throw new Error('the Ed25519 seed must be 32 bytes');
    this.publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
    this.secretKey = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES) as Buffer;
    sodium.crypto_sign_seed_keypair(this.publicKey, this.secretKey, seed);
    this.publicKeyPem = publicKeyObject(this.publicKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(body: Buffer): string {
    const sig = Buffer.allocUnsafe(sodium.crypto_sign_BYTES);
    this.signInto(sig, body);
    return sig.toString('base64');
  }

  /** Writes the 64-byte signature of `body` into `sig`. */
  signInto(sig: Buffer, body: Buffer): void {
    sodium.crypto_sign_detached(sig, body, this.secretKey);
  }

  /** A helper thread that signs with this key, batch by batch (see SigningThread). */
  offThread(onError: (message: string) => void = () => {}): SigningThread {
    return new SigningThread(this, () => new Uint8Array(this.secretKey), onError);
  }
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The same key as a Node KeyObject, for tools and tests that sign with `crypto.sign`. */
export function privateKeyObject(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}
