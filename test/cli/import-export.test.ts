import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { cliFor, listRows, tempDirs, type Cli } from './helpers.js';

const newDir = tempDirs();

const COLUMNS = [
  'key', 'product', 'policy', 'status', 'lock', 'maxActivations', 'tokens', 'tokensRemaining', 'expiresAt', 'email', 'name', 'metadata',
] as const;
type Column = (typeof COLUMNS)[number];
type Row = Partial<Record<Column, string>>;

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function toCsv(rows: Row[], columns: readonly Column[] = COLUMNS, eol = '\n'): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c] ?? '')).join(','))].join(eol) + eol;
}

/** A varied, deterministic set of import rows over products `alpha` and `beta`. */
function sampleRows(n: number, offset = 0): Row[] {
  const rows: Row[] = [];
  for (let j = 0; j < n; j++) {
    const i = j + offset;
    const hasTokens = i % 3 !== 0;
    rows.push({
      key: `IMP-${String(i).padStart(6, '0')}-${(i * 7919).toString(36).toUpperCase().padStart(5, 'Q')}`,
      product: i % 2 === 0 ? 'alpha' : 'beta',
      status: ['active', 'active', 'suspended', 'revoked'][i % 4]!,
      lock: ['none', 'domain', 'device'][i % 3]!,
      maxActivations: i % 5 === 0 ? '' : String(i % 7),
      tokens: hasTokens ? String(100 + i) : '',
      tokensRemaining: hasTokens ? String((i * 13) % (100 + i)) : '',
      expiresAt: i % 6 === 0 ? '2020-05-01T00:00:00.000Z' : i % 6 === 1 ? '2099-01-01T12:00:00.000Z' : '',
      email: i % 10 === 9 ? '' : `user${i}@example.com`,
      name: i % 4 === 1 ? `Name, "quoted" ${i}` : '',
      metadata: i % 8 === 0 ? JSON.stringify({ order: i, tags: ['a', 'b,c'] }) : '',
    });
  }
  return rows;
}

async function freshStore(): Promise<Cli> {
  const cli = cliFor(newDir());
  await cli.ok('init');
  await cli.ok('product', 'create', '--name', 'Alpha', '--slug', 'alpha');
  await cli.ok('product', 'create', '--name', 'Beta', '--slug', 'beta');
  return cli;
}

async function licenseCount(cli: Cli): Promise<number> {
  return listRows(await cli.ok('license', 'list', '--limit', '1000000')).length;
}

/** Exports to CSV and returns the records keyed by key. */
async function exportCsv(cli: Cli): Promise<Map<string, Record<string, string>>> {
  const file = join(cli.dir, 'export.csv');
  await cli.ok('export', file);
  const records = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
  return new Map(records.map((r) => [r.key!, r]));
}

function exportJsonRecords(file: string): Record<string, unknown>[] {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
}

/** The fields an import row fixes, as an export writes them back (CSV: all strings). */
function expectedExport(r: Row): Record<string, string> {
  return {
    key: r.key!, product: r.product!, status: r.status ?? 'active', lock: r.lock ?? 'none', maxActivations: r.maxActivations ?? '',
    tokens: r.tokens ?? '', tokensRemaining: r.tokensRemaining ?? '', expiresAt: r.expiresAt ?? '', email: r.email ?? '',
    name: r.name ?? '', metadata: r.metadata ?? '',
  };
}

function pick(r: Record<string, string>, fields: string[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f, r[f] ?? '']));
}

function expectFailure(r: { code: number | null; stdout: string; stderr: string }, line: number, pattern?: RegExp): void {
  expect(r.code, r.stdout).not.toBe(0);
  expect(r.stdout).not.toMatch(/imported \d+/);
  expect(r.stderr).toMatch(new RegExp(`\\bline ${line}\\b`));
  if (pattern) expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe.concurrent('batchkeys import and export', () => {
  it('imports a CSV, exports it to CSV and JSON, and the JSON re-imports into a fresh store unchanged', async () => {
    const rows = sampleRows(300);
    const cli = await freshStore();
    const csvFile = join(cli.dir, 'in.csv');
    writeFileSync(csvFile, toCsv(rows));
    const out = await cli.ok('import', csvFile);
    expect(out).toMatch(/^imported 300 licenses/);
    // Statuses as the list reports them: active rows with a past expiry count as expired.
    const listed = listRows(await cli.ok('license', 'list', '--limit', '1000'));
    expect(listed).toHaveLength(300);
    const count = (s: string) => listed.filter((r) => r[2] === s).length;
    const expired = rows.filter((r) => r.status === 'active' && r.expiresAt?.startsWith('2020')).length;
    expect(expired).toBeGreaterThan(0);
    expect(count('suspended')).toBe(rows.filter((r) => r.status === 'suspended').length);
    expect(count('revoked')).toBe(rows.filter((r) => r.status === 'revoked').length);
    expect(count('expired')).toBe(expired);
    expect(count('active')).toBe(rows.filter((r) => r.status === 'active').length - expired);
    expect(listRows(await cli.ok('license', 'list', '--status', 'suspended', '--limit', '1000')).length).toBe(count('suspended'));

    // The CSV export holds every key in plain text with what the import said about it.
    const csvExport = await exportCsv(cli);
    expect(csvExport.size).toBe(300);
    const fields = Object.keys(expectedExport(rows[0]!));
    for (const r of rows) {
      const got = csvExport.get(r.key!);
      expect(got, r.key).toBeDefined();
      expect(pick(got!, fields)).toEqual(expectedExport(r));
    }

    // The JSON export: one record per line, typed values, file mode 0600.
    const jsonFile = join(cli.dir, 'export.json');
    expect(await cli.ok('export', jsonFile)).toContain('exported 300 licenses');
    expect(statSync(jsonFile).mode & 0o777).toBe(0o600);
    const jsonRecords = exportJsonRecords(jsonFile);
    expect(jsonRecords).toHaveLength(300);
    const sample = jsonRecords.find((j) => j.key === rows[8]!.key);
    expect(sample).toMatchObject({ tokens: 108, tokensRemaining: (8 * 13) % 108, metadata: { order: 8, tags: ['a', 'b,c'] } });

    // Re-import the JSON into a fresh store: same keys, statuses, balances, emails and the rest.
    const other = await freshStore();
    expect(await other.ok('import', jsonFile)).toMatch(/^imported 300 licenses/);
    expect(await licenseCount(other)).toBe(300);
    const again = await exportCsv(other);
    expect(new Set(again.keys())).toEqual(new Set(csvExport.keys()));
    for (const [key, rec] of csvExport) expect(pick(again.get(key)!, fields)).toEqual(pick(rec, fields));
  }, 60_000);

  it('re-imports its own CSV export into a fresh store unchanged', async () => {
    const rows = sampleRows(120, 1000);
    const cli = await freshStore();
    const csvFile = join(cli.dir, 'in.csv');
    writeFileSync(csvFile, toCsv(rows));
    await cli.ok('import', csvFile);
    const first = await exportCsv(cli);

    const other = await freshStore();
    expect(await other.ok('import', join(cli.dir, 'export.csv'))).toMatch(/^imported 120 licenses/);
    const second = await exportCsv(other);
    const fields = Object.keys(expectedExport(rows[0]!));
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [key, rec] of first) expect(pick(second.get(key)!, fields)).toEqual(pick(rec, fields));
  });

  it('imports a CSV with only some columns, a BOM and CRLF line endings, using --product', async () => {
    const cli = await freshStore();
    const file = join(cli.dir, 'few.csv');
    const rows: Row[] = [
      { key: 'FEW-0001-AAAA', email: 'one@example.com', tokens: '10' },
      { key: 'FEW-0002-BBBB', email: 'two@example.com' },
    ];
    writeFileSync(file, '\uFEFF' + toCsv(rows, ['key', 'email', 'tokens'], '\r\n'));
    expect(await cli.ok('import', file, '--product', 'beta')).toMatch(/^imported 2 licenses/);
    const exported = await exportCsv(cli);
    expect(pick(exported.get('FEW-0001-AAAA')!, ['product', 'status', 'lock', 'tokens', 'tokensRemaining', 'email']))
      .toEqual({ product: 'beta', status: 'active', lock: 'none', tokens: '10', tokensRemaining: '10', email: 'one@example.com' });
    expect(exported.get('FEW-0002-BBBB')?.tokens).toBe('');
  });

  it('refuses an import without a product for a row and keeps nothing', async () => {
    const cli = await freshStore();
    const file = join(cli.dir, 'noproduct.csv');
    writeFileSync(file, toCsv([{ key: 'NOPR-0001-AAAA' }], ['key', 'email']));
    expectFailure(await cli.run('import', file), 2, /product/);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('refuses a CSV import with a bad lock on the 7th data row, naming line 8, and keeps nothing', async () => {
    const cli = await freshStore();
    const rows = sampleRows(20);
    rows[6]!.lock = 'banana';
    const file = join(cli.dir, 'bad-lock.csv');
    writeFileSync(file, toCsv(rows));
    expectFailure(await cli.run('import', file), 8, /lock/);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('refuses a CSV import with a bad email and keeps the store as it was', async () => {
    const cli = await freshStore();
    const good = join(cli.dir, 'good.csv');
    writeFileSync(good, toCsv(sampleRows(15, 500)));
    await cli.ok('import', good);
    const before = await exportCsv(cli);

    const rows = sampleRows(30);
    rows[11]!.email = 'not-an-email';
    const file = join(cli.dir, 'bad-email.csv');
    writeFileSync(file, toCsv(rows));
    expectFailure(await cli.run('import', file), 13, /email/);
    expect(await licenseCount(cli)).toBe(15);
    expect(new Set((await exportCsv(cli)).keys())).toEqual(new Set(before.keys()));
  });

  it('rolls back every row already stored when a late row fails', async () => {
    const cli = await freshStore();
    const rows = sampleRows(250);
    rows[239]!.product = 'no-such-product';
    const file = join(cli.dir, 'late.csv');
    writeFileSync(file, toCsv(rows));
    expectFailure(await cli.run('import', file), 241, /no-such-product/);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('refuses tokensRemaining above tokens, naming the line', async () => {
    const cli = await freshStore();
    const rows = sampleRows(5);
    rows[2]!.tokens = '10';
    rows[2]!.tokensRemaining = '11';
    const file = join(cli.dir, 'balance.csv');
    writeFileSync(file, toCsv(rows));
    expectFailure(await cli.run('import', file), 4, /tokensRemaining/);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('names the physical line of a bad row after a quoted multi-line field', async () => {
    const cli = await freshStore();
    const rows = sampleRows(6);
    rows[1]!.name = 'first line\nsecond line';
    rows[4]!.status = 'deleted';
    const file = join(cli.dir, 'multiline.csv');
    writeFileSync(file, toCsv(rows));
    // Header on line 1, row 2 spans lines 3-4, so the 5th data row is on line 7.
    expectFailure(await cli.run('import', file), 7, /status/);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('refuses a file that repeats a key, naming the line of the repeat, and keeps nothing', async () => {
    const cli = await freshStore();
    const rows = sampleRows(12);
    // The same key, in another case and with other dashes, on data row 10 (line 11).
    rows[9]!.key = rows[3]!.key!.toLowerCase().replace(/-/g, ' ');
    const file = join(cli.dir, 'dup.csv');
    writeFileSync(file, toCsv(rows));
    expectFailure(await cli.run('import', file), 11, /already exists/);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('refuses a file with a key already in the store, naming its line, and keeps nothing new', async () => {
    const cli = await freshStore();
    const created = await cli.ok('license', 'create', '--product', 'alpha', '--key', 'EXISTING-KEY-0001');
    expect(created).toMatch(/^lic_/);
    const rows = sampleRows(9);
    rows[5]!.key = 'existing-key-0001';
    const file = join(cli.dir, 'dup-store.csv');
    writeFileSync(file, toCsv(rows));
    expectFailure(await cli.run('import', file), 7, /already exists/);
    const after = await exportCsv(cli);
    expect([...after.keys()]).toEqual(['EXISTING-KEY-0001']);
  });

  it('names the first line whose key exists when several do (keys are checked once the file is read)', async () => {
    const cli = await freshStore();
    await cli.ok('license', 'create', '--product', 'alpha', '--key', 'EXISTING-KEY-0002');
    const rows = sampleRows(40);
    rows[30]!.key = 'existing-key-0002'; // line 32: in the store
    rows[25]!.key = rows[2]!.key!.toLowerCase(); // line 27: repeats line 4
    rows[35]!.key = rows[25]!.key; // line 37: repeats it again
    const file = join(cli.dir, 'dups.csv');
    writeFileSync(file, toCsv(rows));
    expectFailure(await cli.run('import', file), 27, /already exists/);
    expect(await licenseCount(cli)).toBe(1);
  });

  it('refuses a JSON import with a bad record, naming its line, and keeps nothing', async () => {
    const cli = await freshStore();
    const records = sampleRows(10).map((r) => ({ key: r.key, product: r.product, email: r.email || undefined, tokens: 5 }));
    (records[4] as Record<string, unknown>).tokens = -3;
    // The export layout: "[" on line 1, then one record per line, so record 5 is on line 6.
    const file = join(cli.dir, 'bad.json');
    writeFileSync(file, `[\n${records.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`);
    expectFailure(await cli.run('import', file), 6, /tokens/);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('names the line of a bad record in pretty-printed JSON', async () => {
    const cli = await freshStore();
    const records: Record<string, unknown>[] = sampleRows(6).map((r) => ({
      key: r.key, product: r.product, lock: r.lock, metadata: { nested: { a: 1 }, text: 'has } and { in it' },
    }));
    records[3]!.unknownField = true;
    const text = JSON.stringify(records, null, 2);
    // Line of the opening brace of the 4th record (2 spaces of indent at depth 1).
    const lines = text.split('\n');
    const starts = lines.flatMap((l, i) => (l === '  {' ? [i + 1] : []));
    expect(starts).toHaveLength(6);
    const file = join(cli.dir, 'pretty.json');
    writeFileSync(file, text);
    expectFailure(await cli.run('import', file), starts[3]!, /unknownField|unrecognized|unknown/i);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('names the line of an array element that is not a license object', async () => {
    const cli = await freshStore();
    const file = join(cli.dir, 'mixed.json');
    writeFileSync(file, '[\n{"key":"MIX-0001-AAAA","product":"alpha"},\n"just a string",\n{"key":"MIX-0002-AAAA","product":"alpha"}\n]\n');
    expectFailure(await cli.run('import', file), 3, /object|record/i);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('refuses JSON that is not an array of licenses, or not JSON at all', async () => {
    const cli = await freshStore();
    const notArray = join(cli.dir, 'object.json');
    writeFileSync(notArray, JSON.stringify({ key: 'OBJ-0001-AAAA', product: 'alpha' }));
    expectFailure(await cli.run('import', notArray), 1, /array/);
    const broken = join(cli.dir, 'broken.json');
    // A missing comma between the records on lines 2 and 3.
    writeFileSync(broken, '[\n{"key":"BRK-0001-AAAA","product":"alpha"}\n{"key":"BRK-0002-AAAA","product":"alpha"}\n]\n');
    expectFailure(await cli.run('import', broken), 3, /JSON/);
    expect(await licenseCount(cli)).toBe(0);
  });

  it('imports 20,000 rows in one go (the progress path) and exports them all', async () => {
    const rows = sampleRows(20_000);
    const cli = await freshStore();
    const file = join(cli.dir, 'big.csv');
    writeFileSync(file, toCsv(rows));
    expect(statSync(file).size).toBeGreaterThan(1_000_000);
    const started = Date.now();
    const r = await cli.run('import', file);
    const elapsed = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^imported 20000 licenses/);
    expect(elapsed).toBeLessThan(30_000);
    const jsonFile = join(cli.dir, 'big.json');
    expect(await cli.ok('export', jsonFile)).toContain('exported 20000 licenses');
    const keys = new Set(exportJsonRecords(jsonFile).map((j) => j.key));
    expect(keys.size).toBe(20_000);
    expect(keys.has(rows[0]!.key)).toBe(true);
    expect(keys.has(rows[19_999]!.key)).toBe(true);
  }, 90_000);
});
