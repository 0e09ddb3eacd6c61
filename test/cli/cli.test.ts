import { describe, expect, it } from 'vitest';
import { cliFor, listRows, tempDirs, tokenIn, type Cli } from './helpers.js';

const newDir = tempDirs();

/** A CLI on a fresh data dir that has been initialised and has product `my-plugin`. */
async function withProduct(): Promise<Cli> {
  const cli = cliFor(newDir());
  await cli.ok('init');
  await cli.ok('product', 'create', '--name', 'My Plugin', '--slug', 'my-plugin');
  return cli;
}

async function createLicense(cli: Cli, ...args: string[]): Promise<{ id: string; key: string }> {
  const out = await cli.ok('license', 'create', '--product', 'my-plugin', ...args);
  const m = /^(lic_\S+)\t(\S+)\s*$/.exec(out);
  expect(m, `license create printed: ${out}`).not.toBeNull();
  return { id: m![1]!, key: m![2]! };
}

describe.concurrent('batchkeys init', () => {
  it('prints a generated admin token once, and only the first time', async () => {
    const cli = cliFor(newDir());
    const first = await cli.run('init');
    expect(first.code).toBe(0);
    const token = tokenIn(first.stdout);
    expect(token).not.toBeNull();
    expect(first.stdout).toMatch(/shown once/);

    const second = await cli.run('init');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already initialised/);
    expect(tokenIn(second.stdout + second.stderr)).toBeNull();
    expect(second.stdout).not.toContain(token!);

    const list = await cli.ok('token', 'list');
    const rows = listRows(list);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual([expect.stringMatching(/^tok_/), 'initial admin', 'admin', 'active']);
    // The secret is stored hashed: listing never shows it.
    expect(list).not.toContain(token!);
  });

  it('never prints a token given through BATCHKEYS_BOOTSTRAP_TOKEN', async () => {
    const given = 'bk_operator-chosen-bootstrap-token-0123456789';
    const cli = cliFor(newDir(), { BATCHKEYS_BOOTSTRAP_TOKEN: given });
    const r = await cli.run('init');
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(given);
    expect(tokenIn(r.stdout)).toBeNull();
    const rows = listRows(await cli.ok('token', 'list'));
    expect(rows.map((row) => row.slice(1))).toEqual([['bootstrap', 'admin', 'active']]);
  });
});

describe.concurrent('batchkeys token', () => {
  it('creates a scoped token shown once, lists it, and revokes it', async () => {
    const cli = cliFor(newDir());
    await cli.ok('init');
    const created = await cli.ok('token', 'create', '--name', 'x', '--scope', 'read', 'write');
    const head = /^(tok_\S+)\tread,write$/m.exec(created);
    expect(head, created).not.toBeNull();
    const id = head![1]!;
    const secret = tokenIn(created);
    expect(secret).toMatch(/^bk_/);

    const listed = await cli.ok('token', 'list');
    expect(listed).not.toContain(secret!);
    const row = listRows(listed).find((r) => r[0] === id);
    expect(row).toEqual([id, 'x', 'read,write', 'active']);

    expect(await cli.ok('token', 'revoke', id)).toContain(`revoked ${id}`);
    const after = listRows(await cli.ok('token', 'list'));
    expect(after.find((r) => r[0] === id)).toEqual([id, 'x', 'read,write', 'revoked']);
    // The admin token from init is untouched.
    expect(after.filter((r) => r[3] === 'active').map((r) => r[1])).toEqual(['initial admin']);
  });

  it('refuses to revoke an unknown token with a readable message', async () => {
    const cli = cliFor(newDir());
    await cli.ok('init');
    const r = await cli.run('token', 'revoke', 'tok_nope');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('there is no token "tok_nope"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a scope that does not exist', async () => {
    const cli = cliFor(newDir());
    await cli.ok('init');
    const r = await cli.run('token', 'create', '--name', 'y', '--scope', 'root');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/root/);
    expect(listRows(await cli.ok('token', 'list')).map((row) => row[1])).toEqual(['initial admin']);
  });
});

describe.concurrent('batchkeys product', () => {
  it('creates products and lists them', async () => {
    const cli = cliFor(newDir());
    await cli.ok('init');
    const a = await cli.ok('product', 'create', '--name', 'My Plugin', '--slug', 'my-plugin');
    expect(a).toMatch(/^prd_\S+\tmy-plugin\tMy Plugin\s*$/);
    await cli.ok('product', 'create', '--name', 'Other Theme', '--slug', 'other-theme', '--prefix', 'OTH');
    const rows = listRows(await cli.ok('product', 'list'));
    expect(rows.map((r) => r.slice(1)).sort()).toEqual([['my-plugin', 'My Plugin'], ['other-theme', 'Other Theme']]);
    expect(rows.find((r) => r[1] === 'my-plugin')?.[0]).toBe(a.split('\t')[0]);
  });

  it('refuses a slug already used, with a readable message', async () => {
    const cli = await withProduct();
    const r = await cli.run('product', 'create', '--name', 'Again', '--slug', 'my-plugin');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^batchkeys: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(listRows(await cli.ok('product', 'list'))).toHaveLength(1);
  });
});

describe.concurrent('batchkeys license', () => {
  it('creates a license and prints its id and key', async () => {
    const cli = await withProduct();
    const { id, key } = await createLicense(cli, '--tokens', '5', '--email', 'a@example.com');
    expect(id).toMatch(/^lic_/);
    // At least 128 bits of randomness: well over 20 characters besides dashes.
    expect(key.replace(/-/g, '').length).toBeGreaterThanOrEqual(25);

    const rows = listRows(await cli.ok('license', 'list'));
    expect(rows).toEqual([[id, 'my-plugin', 'active', 'none', '0/∞', '5/5', 'never', 'a@example.com']]);
  });

  it('lists licenses newest first and filters them', async () => {
    const cli = await withProduct();
    const a = await createLicense(cli, '--email', 'a@example.com');
    const b = await createLicense(cli, '--email', 'b@example.com', '--lock', 'domain', '--max-activations', '3');
    const rows = listRows(await cli.ok('license', 'list'));
    expect(rows.map((r) => r[0])).toEqual([b.id, a.id]);
    expect(rows[0]?.slice(3, 5)).toEqual(['domain', '0/3']);
    expect(listRows(await cli.ok('license', 'list', '--email', 'a@example.com')).map((r) => r[0])).toEqual([a.id]);
    expect(listRows(await cli.ok('license', 'list', '--limit', '1')).map((r) => r[0])).toEqual([b.id]);
  });

  it('shows a license as JSON without its key', async () => {
    const cli = await withProduct();
    const { id, key } = await createLicense(cli, '--tokens', '5', '--email', 'a@example.com', '--name', 'Ada');
    const r = await cli.run('license', 'show', id);
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({
      id, productSlug: 'my-plugin', status: 'active', lock: 'none', tokensRemaining: 5, tokensTotal: 5,
      email: 'a@example.com', name: 'Ada', expiresAt: null,
    });
    for (const field of ['key', 'keyDigest', 'keyEncrypted']) expect(shown).not.toHaveProperty(field);
    const plain = key.replace(/-/g, '');
    const everything = r.stdout + r.stderr;
    expect(everything).not.toContain(key);
    expect(everything.toUpperCase()).not.toContain(plain.toUpperCase());
  });

  it('suspends, reinstates and revokes a license, and refuses to reinstate a revoked one', async () => {
    const cli = await withProduct();
    const { id } = await createLicense(cli);
    const status = async () => (JSON.parse(await cli.ok('license', 'show', id)) as { status: string }).status;

    expect((await cli.ok('license', 'suspend', id)).split('\t')[2]).toBe('suspended');
    expect(await status()).toBe('suspended');
    expect(listRows(await cli.ok('license', 'list', '--status', 'suspended')).map((r) => r[0])).toEqual([id]);

    expect((await cli.ok('license', 'reinstate', id)).split('\t')[2]).toBe('active');
    expect(await status()).toBe('active');

    expect((await cli.ok('license', 'revoke', id)).split('\t')[2]).toBe('revoked');
    expect(await status()).toBe('revoked');

    const again = await cli.run('license', 'reinstate', id);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^batchkeys: .*revoked/i);
    expect(again.stderr).not.toMatch(/\n\s+at /);
    expect(await status()).toBe('revoked');
  });

  it('refuses an unknown product with a readable message and creates nothing', async () => {
    const cli = await withProduct();
    const r = await cli.run('license', 'create', '--product', 'no-such-product', '--email', 'a@example.com');
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toMatch(/lic_/);
    expect(r.stderr).toMatch(/^batchkeys: .*no-such-product/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(listRows(await cli.ok('license', 'list'))).toEqual([]);
  });

  it('answers a readable error for an unknown license id', async () => {
    const cli = await withProduct();
    for (const args of [['show', 'lic_nope'], ['suspend', 'lic_nope'], ['revoke', 'lic_nope']]) {
      const r = await cli.run('license', ...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toContain('lic_nope');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses a non-numeric token budget and a bad expiry date', async () => {
    const cli = await withProduct();
    const tokens = await cli.run('license', 'create', '--product', 'my-plugin', '--tokens', 'lots');
    expect(tokens.code).not.toBe(0);
    expect(tokens.stderr).toContain('--tokens must be a whole number');
    const expiry = await cli.run('license', 'create', '--product', 'my-plugin', '--expires-at', 'someday');
    expect(expiry.code).not.toBe(0);
    expect(expiry.stderr).toContain('--expires-at');
    expect(listRows(await cli.ok('license', 'list'))).toEqual([]);
  });

  it('imports a given key and refuses the same key again, ignoring case and dashes', async () => {
    const cli = await withProduct();
    const { key } = await createLicense(cli, '--key', 'ABCD-EFGH-1234-5678');
    expect(key).toBe('ABCD-EFGH-1234-5678');
    const dup = await cli.run('license', 'create', '--product', 'my-plugin', '--key', 'abcdefgh 12345678');
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/already exists/);
    expect(listRows(await cli.ok('license', 'list'))).toHaveLength(1);
  });

  it('shows a license created with a past expiry as expired', async () => {
    const cli = await withProduct();
    const { id } = await createLicense(cli, '--expires-at', '2020-01-01T00:00:00Z');
    const row = listRows(await cli.ok('license', 'list'))[0];
    expect(row?.[0]).toBe(id);
    expect(row?.[2]).toBe('expired');
    expect(row?.[6]).toBe('2020-01-01T00:00:00.000Z');
    expect(listRows(await cli.ok('license', 'list', '--status', 'expired')).map((r) => r[0])).toEqual([id]);
  });
});
