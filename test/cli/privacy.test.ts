import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cliFor, tempDirs } from './helpers.js';

const newDir = tempDirs();

describe('batchkeys privacy, audit, breach and account commands', () => {
  it('finds, exports and erases a data subject, and audit verify catches an altered entry', async () => {
    const cli = cliFor(newDir());
    await cli.ok('init');
    await cli.ok('product', 'create', '--name', 'My Plugin', '--slug', 'my-plugin');
    const created = await cli.ok('license', 'create', '--product', 'my-plugin', '--email', 'Cli.Person@example.com', '--name', 'Cli Person');
    const [id, key] = created.trim().split('\t') as [string, string];

    const found = JSON.parse(await cli.ok('privacy', 'find', '--email', 'cli.person@EXAMPLE.com')) as { licenses: Array<{ id: string }> };
    expect(found.licenses.map((l) => l.id)).toEqual([id]);
    const out = join(cli.dir, 'subject.csv');
    expect(await cli.ok('privacy', 'export', '--email', 'cli.person@example.com', '--format', 'csv', '--out', out)).toMatch(/exported 1 licenses/);
    expect(readFileSync(out, 'utf8')).toContain('Cli Person');
    expect(readFileSync(out, 'utf8')).not.toContain(key);

    const rect = await cli.ok('privacy', 'rectify', '--email', 'cli.person@example.com', '--set-name', 'C. Person');
    expect(rect).toMatch(/rectified 1 licenses/);

    const refused = await cli.run('privacy', 'erase', '--email', 'cli.person@example.com');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--yes/);
    const erased = JSON.parse(await cli.ok('privacy', 'erase', '--email', 'cli.person@example.com', '--yes')) as { keysStopped: Array<{ license: string }> };
    expect(erased.keysStopped.map((k) => k.license)).toEqual([id]);
    const db = readFileSync(join(cli.dir, 'batchkeys.db'));
    expect(db.includes(Buffer.from('Cli.Person@example.com'))).toBe(false);
    expect(existsSync(join(cli.dir, 'batchkeys.db-wal')) && readFileSync(join(cli.dir, 'batchkeys.db-wal')).includes(Buffer.from('C. Person'))).toBe(false);

    expect(await cli.ok('audit', 'verify')).toMatch(/audit log intact: \d+ entries checked/);
    const sqlite = new Database(join(cli.dir, 'batchkeys.db'));
    sqlite.prepare(`UPDATE audit_log SET detail = '{"licenses":0}' WHERE action = 'cli privacy rectify'`).run();
    const seq = (sqlite.prepare(`SELECT seq FROM audit_log WHERE action = 'cli privacy rectify'`).get() as { seq: number }).seq;
    sqlite.close();
    const tampered = await cli.run('audit', 'verify');
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`entry ${seq}: was altered`);
    expect(tampered.stdout).toMatch(/TAMPERED/);
  });

  it('reports a breach window, shuts an account\'s API down, and refuses bad input with a readable message', async () => {
    const cli = cliFor(newDir());
    await cli.ok('init');
    await cli.ok('product', 'create', '--name', 'P', '--slug', 'p');
    const from = new Date(Date.now() - 60_000).toISOString();
    await cli.ok('privacy', 'find', '--ip', '192.0.2.1');
    const report = JSON.parse(await cli.ok('breach', 'report', '--from', from, '--to', new Date(Date.now() + 60_000).toISOString(), '--aware-at', '2026-11-20T10:00:00Z')) as {
      notifyBy: string; admin: { byActor: Record<string, number> };
    };
    expect(report.notifyBy).toBe('2026-11-23T10:00:00.000Z');
    expect(report.admin.byActor.cli).toBeGreaterThanOrEqual(1);
    const bad = await cli.run('breach', 'report', '--from', 'yesterday', '--to', 'today');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--from must be an ISO 8601 date/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const accounts = new Database(join(cli.dir, 'batchkeys.db'), { readonly: true });
    const accountId = (accounts.prepare('SELECT id FROM accounts').get() as { id: string }).id;
    accounts.close();
    expect(await cli.ok('account', 'suspend-api', accountId)).toMatch(/shut down/);
    expect(await cli.ok('account', 'reinstate-api', accountId)).toMatch(/reinstated/);
    const missing = await cli.run('account', 'suspend-api', 'acc_nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/there is no account "acc_nope"/);
    const twoSubjects = await cli.run('privacy', 'find', '--ip', '192.0.2.1', '--email', 'a@b.c');
    expect(twoSubjects.stderr).toMatch(/exactly one data subject/);
  });

  it('prints the privacy policy in each format, following the configuration', async () => {
    const dir = newDir();
    const plain = await cliFor(dir).ok('privacy', 'policy');
    const html = await cliFor(dir).ok('privacy', 'policy', '--format', 'html');
    const json = JSON.parse(await cliFor(dir).ok('privacy', 'policy', '--format', 'json')) as Record<string, unknown>;
    expect(plain).toMatch(/^#/m);
    expect(html).toMatch(/<h[12]/);
    expect(json).toBeTypeOf('object');
    const noLog = await cliFor(dir, { BATCHKEYS_REQUEST_LOG: 'off', BATCHKEYS_RETENTION_REQUEST_LOG_DAYS: '31' }).ok('privacy', 'policy');
    expect(noLog).not.toEqual(plain);
  });
});
