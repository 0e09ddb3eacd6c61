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
