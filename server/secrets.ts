import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

const b64 = (bytes: number) =>
  z.string().refine((s) => Buffer.from(s, 'base64').length === bytes, `${bytes} bytes in base64`);

const schema = z.object({
  version: z.literal(1),
  /** HMAC-SHA256 secret that turns a key into its lookup digest. */
  keyDigestSecret: b64(32),
  /** AES-256-GCM key that seals the recoverable copy of each key. */
  keyEncryptionKey: b64(32),
  /** Ed25519 seed of the response-signing key. */
  signingSeed: b64(32),
});

export interface Secrets {
  keyDigestSecret: Buffer;
  keyEncryptionKey: Buffer;
  signingSeed: Buffer;
}

/**
 * Loads the secrets file, creating it (mode 0600) on first start. The secrets never go into
 * the database, so a copy of the database alone yields no usable key.
 */
export function loadSecrets(file: string): { secrets: Secrets; created: boolean } {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const fresh = {
      version: 1,
      keyDigestSecret: randomBytes(32).toString('base64'),
      keyEncryptionKey: randomBytes(32).toString('base64'),
      signingSeed: randomBytes(32).toString('base64'),
    };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    try {
      // link() creates the file only if it does not exist yet: of several servers starting
      // together on one shared secrets file, exactly one writes it and the others read it.
      linkSync(tmp, file);
      chmodSync(file, 0o600);
      return { secrets: decode(fresh), created: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`BATCHKEYS_SECRETS_FILE: cannot read ${file} (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`BATCHKEYS_SECRETS_FILE: ${file} is not a valid secrets file (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  }
  return { secrets: decode(parsed.data), created: false };
}

function decode(s: { keyDigestSecret: string; keyEncryptionKey: string; signingSeed: string }): Secrets {
  return {
    keyDigestSecret: Buffer.from(s.keyDigestSecret, 'base64'),
    keyEncryptionKey: Buffer.from(s.keyEncryptionKey, 'base64'),
    signingSeed: Buffer.from(s.signingSeed, 'base64'),
  };
}
