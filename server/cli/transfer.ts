import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import type { Core } from '../core.js';
import { AppError } from '../domain/errors.js';
import type { License, Policy, Product } from '../domain/types.js';
import { buildLicense, resolvePolicy, requireProduct } from '../services/admin.js';
import { StoreConflict } from '../store/store.js';
import { fieldErrors } from '../http/validation.js';
import { keyField } from '../http/schemas.js';

/** The columns of an import or export file, in order. */
export const COLUMNS = [
  'key', 'product', 'policy', 'status', 'lock', 'maxActivations', 'tokens', 'tokensRemaining', 'expiresAt', 'email', 'name', 'metadata',
] as const;

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const optionalInt = z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(1_000_000_000).optional());
const optionalString = (max: number) => z.preprocess(blankToUndefined, z.string().max(max).optional());

/** One row of an import, from CSV (all strings) or JSON (typed values). */
export const ImportRow = z.object({
  key: keyField,
  product: optionalString(128),
  policy: optionalString(128),
  status: z.preprocess(blankToUndefined, z.enum(['active', 'suspended', 'revoked']).optional()),
  lock: z.preprocess(blankToUndefined, z.enum(['none', 'domain', 'device']).optional()),
  maxActivations: optionalInt,
  tokens: optionalInt,
  tokensRemaining: optionalInt,
  expiresAt: z.preprocess(blankToUndefined, z.iso.datetime({ offset: true }).optional()),
  email: z.preprocess(blankToUndefined, z.email().max(254).optional()),
  name: optionalString(200),
  metadata: z.preprocess(
    (v) => (typeof v === 'string' ? (v === '' ? undefined : JSON.parse(v)) : v),
    z.record(z.string(), z.unknown()).optional(),
  ),
}).strict();

export class ImportError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'ImportError';
  }
}

interface SourceRow {
  line: number;
  value: unknown;
}

async function* csvRows(file: string): AsyncGenerator<SourceRow> {
  const parser = createReadStream(file).pipe(parse({ columns: true, bom: true, trim: true, skip_empty_lines: true, info: true }));
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { line: rec.info.lines, value: rec.record };
    }
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new ImportError(e.lines ?? 0, `cannot read the CSV (${e.message})`);
  }
}

async function* jsonRows(file: string): AsyncGenerator<SourceRow> {
  const text = readFileSync(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : 1;
    throw new ImportError(line, `not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new ImportError(1, 'a JSON import is an array of license objects');
  const elementLines = arrayElementLines(text);
  for (let i = 0; i < data.length; i++) yield { line: elementLines[i] ?? 1, value: data[i] };
}

/** The line on which each element of a top-level JSON array starts, for error messages. */
function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let expectValue = false;
  for (let i = 0, line = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') { line++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (depth === 1 && expectValue && c !== ']') { lines.push(line); expectValue = false; }
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
  }
  return lines;
}

export function detectFormat(file: string, format?: string): 'csv' | 'json' {
  if (format === 'csv' || format === 'json') return format;
  if (format) throw new Error(`--format must be csv or json, not "${format}"`);
  return /\.json$/i.test(file) ? 'json' : 'csv';
}

/**
 * Imports a CSV or JSON file into one account, all or nothing: every row is checked, and the
 * first bad row (with its line number) aborts the import with nothing stored. A store may
 * compare keys only once it has every row: the first row whose key exists is then reported.
 */
export async function importFile(
  core: Core, accountId: string, file: string, opts: { format?: string | undefined; product?: string | undefined; progress?: boolean },
): Promise<number> {
  const format = detectFormat(file, opts.format);
  const size = statSync(file).size;
  const products = new Map<string, Product>();
  const policies = new Map<string, Policy | null>();
  const bar = opts.progress && size > 1_000_000
    ? new cliProgress.SingleBar({ format: 'importing [{bar}] {percentage}% {value} rows', noTTYOutput: false, stream: process.stderr }, cliProgress.Presets.shades_classic)
    : null;
  let line = 0;
  /** The line of each license handed to the store, for a conflict the store finds later. */
  const lines: number[] = [];
  async function* licenses(): AsyncGenerator<License> {
    const source = format === 'csv' ? csvRows(file) : jsonRows(file);
    for await (const row of source) {
      line = row.line;
      const parsed = ImportRow.safeParse(row.value);
      if (!parsed.success) {
        throw new ImportError(line, fieldErrors(parsed.error).map((e) => `${e.path || 'row'}: ${e.message}`).join('; '));
      }
      const r = parsed.data;
      const productRef = r.product ?? opts.product;
      if (!productRef) throw new ImportError(line, 'product: no product column and no --product given');
      let product = products.get(productRef);
      if (!product) {
        product = await requireProduct(core, accountId, productRef).catch((e: AppError) => { throw new ImportError(line, e.message); });
        products.set(productRef, product);
      }
      const policyKey = `${product.id}/${r.policy ?? ''}`;
      let policy = policies.get(policyKey);
      if (policy === undefined) {
        policy = await resolvePolicy(core, accountId, product, r.policy).catch((e: AppError) => { throw new ImportError(line, e.message); });
        policies.set(policyKey, policy);
      }
      let built;
      try {
        built = buildLicense(core, accountId, product, policy, {
          product: productRef, key: r.key, status: r.status, lock: r.lock, maxActivations: r.maxActivations ?? null,
          tokens: r.tokens ?? null, expiresAt: r.expiresAt ?? null, email: r.email, name: r.name, metadata: r.metadata,
        }, core.now());
      } catch (e) {
        throw new ImportError(line, (e as Error).message);
      }
      const lic = built.license;
      if (r.tokensRemaining !== undefined) {
        if (lic.tokensTotal === null || r.tokensRemaining > lic.tokensTotal) {
          throw new ImportError(line, 'tokensRemaining: must not exceed tokens');
        }
        lic.tokensRemaining = r.tokensRemaining;
      }
      lines.push(line);
      yield lic;
    }
  }
  bar?.start(0, 0);
  try {
    const count = await core.store.importLicenses(licenses(), (n) => {
      if (bar && n % 1000 === 0) bar.update(n);
    });
    bar?.update(count);
    return count;
  } catch (err) {
    if (err instanceof StoreConflict) {
      const at = err.row === null ? line : lines[err.row - 1] ?? line;
      throw new ImportError(at, 'key: a license with this key already exists (in the store or earlier in the file)');
    }
    throw err;
  } finally {
    bar?.stop();
  }
}

function exportRecord(core: Core, l: License) {
  return {
    key: core.vault.decrypt(l.keyEncrypted), product: l.productSlug, policy: l.policyId ?? '', status: l.status, lock: l.lock,
    maxActivations: l.maxActivations ?? '', tokens: l.tokensTotal ?? '', tokensRemaining: l.tokensRemaining ?? '',
    expiresAt: l.expiresAt === null ? '' : new Date(l.expiresAt).toISOString(), email: l.email ?? '', name: l.name ?? '',
    metadata: Object.keys(l.metadata).length > 0 ? JSON.stringify(l.metadata) : '',
  };
}

/** Writes every license of the account, keys in plain text, in the import format. */
export async function exportFile(core: Core, accountId: string, file: string, format?: string): Promise<number> {
  const fmt = detectFormat(file, format);
  const out = createWriteStream(file, { mode: 0o600 });
  let count = 0;
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  if (fmt === 'csv') {
    const csv = stringify({ header: true, columns: [...COLUMNS] });
    csv.pipe(out);
    for await (const l of core.store.iterateLicenses(accountId)) {
      if (!csv.write(exportRecord(core, l))) await once(csv, 'drain');
      count++;
    }
    csv.end();
  } else {
    await write('[\n');
    for await (const l of core.store.iterateLicenses(accountId)) {
      const r = exportRecord(core, l);
      const typed: Record<string, unknown> = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== ''));
      if (typed.metadata) typed.metadata = l.metadata;
      await write(`${count > 0 ? ',\n' : ''}${JSON.stringify(typed)}`);
      count++;
    }
    await write('\n]\n');
    out.end();
  }
  await once(out, 'finish');
  return count;
}
