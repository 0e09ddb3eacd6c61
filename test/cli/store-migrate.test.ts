import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFor, listRows, tempDirs } from './helpers.js';

const temp = tempDirs();

/** A store with licenses, activations-free, in several states, made through the CLI. */
async function populated() {
  const dir = temp();
  const cli = cliFor(dir);
  await cli.ok('init');
  await cli.ok('product', 'create', '--name', 'Plugin', '--slug', 'plugin');
  const keys: string[] = [];
  for (let i = 0; i < 5; i++) {
    const out = await cli.ok('license', 'create', '--product', 'plugin', '--tokens', String(10 + i), '--email', `buyer${i}@example.com`);
    keys.push(out.trim().split('\t')[1]!);
  }
  const first = listRows(await cli.ok('license', 'list'))[0]![0]!;
  await cli.ok('license', 'suspend', first);
  return { dir, cli, keys };
}

describe('batchkeys store migrate, backup and restore', () => {
  it('migrates SQLite to SQLite with verified counts and digests, leaving the source unchanged', async () => {
    const { dir, keys } = await populated();
    const src = join(dir, 'batchkeys.db');
    const before = readFileSync(src);
    const target = temp();
    const out = await cliFor(dir).ok('store', 'migrate', '--from', `sqlite:${src}`, '--to', `sqlite:${join(target, 'batchkeys.db')}`);
    expect(out).toMatch(/license\s+5\s/);
    expect(out).toMatch(/verified/);
    expect(readFileSync(src).equals(before)).toBe(true);
    // The keys work in the target with the same secrets file.
    copyFileSync(join(dir, 'secrets.json'), join(target, 'secrets.json'));
    const exported = join(target, 'out.csv');
    await cliFor(target).ok('export', exported);
    const text = readFileSync(exported, 'utf8');
    for (const k of keys) expect(text).toContain(k);
    expect(text).toContain('suspended');
  });

  it('refuses to migrate into a store that already holds data', async () => {
    const a = await populated();
    const b = await populated();
    const r = await a.cli.run('store', 'migrate', '--from', `sqlite:${join(a.dir, 'batchkeys.db')}`, '--to', `sqlite:${join(b.dir, 'batchkeys.db')}`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not empty/);
  });

  it('backs up the store and restores it into an empty one', async () => {
    const { dir, cli } = await populated();
    const file = join(dir, 'snapshot.db');
    expect(await cli.ok('backup', file)).toMatch(/backup written/);
    expect(statSync(file).size).toBeGreaterThan(0);
    const fresh = temp();
    copyFileSync(join(dir, 'secrets.json'), join(fresh, 'secrets.json'));
    const restored = cliFor(fresh);
    expect(await restored.ok('restore', file)).toMatch(/restored \d+ records/);
    const rows = listRows(await restored.ok('license', 'list'));
    expect(rows).toHaveLength(5);
    expect(rows.filter((r) => r[2] === 'suspended')).toHaveLength(1);
    expect((await restored.run('restore', file)).stderr).toMatch(/not empty/);
  });

  it('names a bad store URL', async () => {
    const r = await cliFor(temp()).run('store', 'migrate', '--from', 'mysql://x', '--to', 'sqlite:/tmp/x.db');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not a store URL/);
  });
});

describe('moving data between the three stores', () => {
  it('migrates JSON to PostgreSQL to SQLite, verified at each step, and the keys still export the same', async () => {
    const { freshDatabase } = await import('../helpers/postgres.js');
    const db = await freshDatabase('cli_migrate');
    try {
      const dir = temp();
      const json = cliFor(dir, { BATCHKEYS_STORE: 'json' });
      await json.ok('init');
      await json.ok('product', 'create', '--name', 'Plugin', '--slug', 'plugin');
      for (let i = 0; i < 4; i++) await json.ok('license', 'create', '--product', 'plugin', '--tokens', '7', '--email', `j${i}@example.com`);
      const before = await json.ok('export', join(dir, 'before.csv'));
      expect(before).toMatch(/exported 4/);

      const viaPg = await json.ok('store', 'migrate', '--from', `json:${join(dir, 'batchkeys.json')}`, '--to', db.url);
      expect(viaPg).toMatch(/verified/);
      const target = temp();
      const toSqlite = await json.ok('store', 'migrate', '--from', db.url, '--to', `sqlite:${join(target, 'batchkeys.db')}`);
      expect(toSqlite).toMatch(/license\s+4\s/);

      copyFileSync(join(dir, 'secrets.json'), join(target, 'secrets.json'));
      await cliFor(target).ok('export', join(target, 'after.csv'));
      const rows = (f: string) => readFileSync(f, 'utf8').trim().split('\n').sort();
      expect(rows(join(target, 'after.csv'))).toEqual(rows(join(dir, 'before.csv')));
    } finally {
      await db.drop();
    }
  });

  it('backs up PostgreSQL as a logical dump and restores it into SQLite', async () => {
    const { freshDatabase } = await import('../helpers/postgres.js');
    const db = await freshDatabase('cli_backup');
    try {
      const dir = temp();
      const pgCli = cliFor(dir, { BATCHKEYS_STORE: 'postgres', BATCHKEYS_DATABASE_URL: db.url });
      await pgCli.ok('init');
      await pgCli.ok('product', 'create', '--name', 'Plugin', '--slug', 'plugin');
      await pgCli.ok('license', 'create', '--product', 'plugin', '--email', 'pg@example.com');
      const file = join(dir, 'pg.ndjson');
      await pgCli.ok('backup', file);
      expect(readFileSync(file, 'utf8').split('\n')[0]).toContain('batchkeys-dump');
      const target = temp();
      copyFileSync(join(dir, 'secrets.json'), join(target, 'secrets.json'));
      expect(await cliFor(target).ok('restore', file)).toMatch(/restored \d+ records/);
      expect(listRows(await cliFor(target).ok('license', 'list')).map((r) => r[7])).toEqual(['pg@example.com']);
    } finally {
      await db.drop();
    }
  });

  it('backs up the JSON store as a copy of its file and restores it into SQLite', async () => {
    const dir = temp();
    const json = cliFor(dir, { BATCHKEYS_STORE: 'json' });
    await json.ok('init');
    await json.ok('product', 'create', '--name', 'Plugin', '--slug', 'plugin');
    await json.ok('license', 'create', '--product', 'plugin', '--email', 'js@example.com');
    const file = join(dir, 'copy.json');
    await json.ok('backup', file);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(dir, 'batchkeys.json'), 'utf8'));
    const target = temp();
    expect(await cliFor(target).ok('restore', file)).toMatch(/restored \d+ records/);
    expect(listRows(await cliFor(target).ok('license', 'list')).map((r) => r[7])).toEqual(['js@example.com']);
  });
});
