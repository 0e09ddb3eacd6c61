import { copyFileSync, createReadStream, createWriteStream, mkdirSync, openSync, readSync, closeSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { openStore } from '../app.js';
import { DUMP_KINDS, isDumpable, summarize, type Dumpable, type DumpRecord } from '../store/dump.js';
import type { Store } from '../store/store.js';
import { JsonStore } from '../store/json/index.js';
import { SqliteStore } from '../store/sqlite/index.js';

export type FullStore = Store & Dumpable;

/** Opens a store named by a URL: `sqlite:<file>`, `json:<file>` or `postgres://...`. */
export async function openStoreUrl(url: string, options: { readonly?: boolean } = {}): Promise<FullStore> {
  const m = /^(sqlite|json):(.+)$/.exec(url);
  let config: Config;
  if (m) {
    const file = resolve(m[2]!);
    if (m[1] === 'sqlite' && options.readonly) return new SqliteStore(file, { readonly: true });
    config = { ...loadConfig({}), store: m[1] as 'sqlite' | 'json', dataDir: dirname(file), storeFile: file };
    return asDumpable(await openStore(config));
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    config = { ...loadConfig({}), store: 'postgres', databaseUrl: url };
    return asDumpable(await openStore(config));
  }
  throw new Error(`"${url}" is not a store URL: use sqlite:<file>, json:<file> or postgres://user@host/db`);
}

function asDumpable(store: Store): FullStore {
  if (!isDumpable(store)) throw new Error(`the ${store.kind} store cannot be dumped`);
  return store;
}

function progress(label: string, total: number) {
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total}`, stream: process.stderr, noTTYOutput: false },
    cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return { tick: (n: number) => { if (n % 500 === 0 || n === total) bar.update(n); }, stop: () => bar.stop() };
}

/**
 * Copies every record from one store to another (which must be empty), then checks that both
 * hold the same data: the same count and the same digest for every kind of record.
 */
export async function migrateStores(from: FullStore, to: FullStore, showProgress = true): Promise<Awaited<ReturnType<typeof summarize>>> {
  const counts = await from.counts();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const bar = showProgress ? progress('copying', total) : null;
  try {
    await to.restore(from.dump(), bar?.tick);
  } finally {
    bar?.stop();
  }
  const [a, b] = await Promise.all([summarize(from.dump()), summarize(to.dump())]);
  for (const kind of DUMP_KINDS) {
    if (a.counts[kind] !== b.counts[kind] || a.digests[kind] !== b.digests[kind]) {
      throw new Error(`verification failed for ${kind}: ${a.counts[kind]} records (${a.digests[kind].slice(0, 12)}) in the source, `
        + `${b.counts[kind]} (${b.digests[kind].slice(0, 12)}) in the target`);
    }
  }
  return a;
}

const DUMP_HEADER = { format: 'batchkeys-dump', version: 1 };

async function writeDump(store: FullStore, file: string): Promise<number> {
  const out = createWriteStream(file, { mode: 0o600 });
  let n = 0;
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  await write(JSON.stringify(DUMP_HEADER));
  for await (const r of store.dump()) {
    await write(JSON.stringify(r));
    n++;
  }
  out.end();
  await once(out, 'finish');
  return n;
}

async function* readDump(file: string): AsyncGenerator<DumpRecord> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const value = JSON.parse(line) as DumpRecord | typeof DUMP_HEADER;
    if (lineNo === 1) {
      if ((value as typeof DUMP_HEADER).format !== DUMP_HEADER.format) throw new Error(`${file} is not a BatchKeys dump`);
      continue;
    }
    yield value as DumpRecord;
  }
}

function fileKind(file: string): 'sqlite' | 'json' | 'dump' {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(64);
  const n = readSync(fd, head, 0, 64, 0);
  closeSync(fd);
  const text = head.subarray(0, n).toString('utf8');
  if (text.startsWith('SQLite format 3\u0000')) return 'sqlite';
  if (text.includes('"batchkeys-dump"')) return 'dump';
  return 'json';
}

export function registerStoreCommands(program: Command): void {
  const store = program.command('store').description('move data between stores');
  store.command('migrate').description('copy everything from one store to another (empty) store, and verify')
    .requiredOption('--from <url>', 'source: sqlite:<file>, json:<file> or postgres://...')
    .requiredOption('--to <url>', 'target, which must be empty')
    .action(async (o: { from: string; to: string }) => {
      const from = await openStoreUrl(o.from, { readonly: true });
      try {
        const to = await openStoreUrl(o.to);
        try {
          const summary = await migrateStores(from, to, true);
          for (const kind of DUMP_KINDS) console.log(`${kind.padEnd(12)} ${String(summary.counts[kind]).padStart(9)}  ${summary.digests[kind].slice(0, 16)}`);
          console.log('verified: the target holds the same records as the source (counts and digests match); the source is unchanged');
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    });

  program.command('backup [file]').description('write a consistent snapshot of the configured store')
    .action(async (file?: string) => {
      const config = loadConfig();
      const s = asDumpable(await openStore(config));
      try {
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const ext = s.kind === 'sqlite' ? 'db' : s.kind === 'json' ? 'json' : 'ndjson';
        const target = resolve(file ?? join(config.dataDir, 'backups', `batchkeys-${stamp}.${ext}`));
        mkdirSync(dirname(target), { recursive: true });
        if (s instanceof SqliteStore) await s.backup(target);
        // The JSON file is only ever replaced whole (rename), so a plain copy is consistent.
        else if (s instanceof JsonStore) copyFileSync(s.file, target);
        else await writeDump(s, target);
        console.log(`backup written to ${target}`);
        console.log('Keep the secrets file (BATCHKEYS_SECRETS_FILE) with it: without it the keys cannot be found or revealed.');
      } finally {
        await s.close();
      }
    });

  program.command('restore <file>').description('load a backup into the configured store, which must be empty')
    .action(async (file: string) => {
      const target = asDumpable(await openStore(loadConfig()));
      try {
        const kind = fileKind(file);
        let n: number;
        if (kind === 'dump') n = await target.restore(readDump(file));
        else {
          const source = await openStoreUrl(`${kind}:${file}`, { readonly: true });
          try {
            await migrateStores(source, target, false);
            n = Object.values(await source.counts()).reduce((a, b) => a + b, 0);
          } finally {
            await source.close();
          }
        }
        console.log(`restored ${n} records from ${file}`);
      } finally {
        await target.close();
      }
    });
}
