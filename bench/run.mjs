// BatchKeys benchmark (`npm run bench`). Not a test: it measures the license API against two
// floors measured in the same run on the same machine, and reports ratios and targets.
//   floor U  bare node:http answering a fixed JSON body
//   floor S  the same, signing every body with Ed25519 (the dominant cost of a license answer)
// Exit code: 0 when the run completed (even with targets FAILed), 1 when something broke
// (a process failed, a non-2xx answer, a count that does not add up).
// Environment: BENCH_DURATION (s per run, default 10), BENCH_LICENSES (default 1000000),
// BENCH_FLOORS_ONLY=1 (floors only), BENCH_KEEP=1 (keep the CSV and the data dir in bench/out).
/* global fetch, AbortSignal -- Node 20 globals the shared ESLint config does not list */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicKey, verify } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstJsonLine, freePort, run, sampleRss, start, stop, stopAll } from './lib/procs.mjs';
import { TOKENS, writeLicenses } from './lib/seed.mjs';
import { bodies, load, sumOver } from './lib/load.mjs';
import { judge, print } from './lib/report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const OUT = join(HERE, 'out');
const BIN = join(ROOT, 'bin', 'batchkeys.js');

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const LICENSES = Number(process.env.BENCH_LICENSES ?? 1_000_000);
if (!(DURATION > 0) || !(LICENSES >= 3000)) {
  console.error('BENCH_DURATION must be > 0 seconds and BENCH_LICENSES at least 3000 (three pools of 1000)');
  process.exit(2);
}
const CONNECTIONS = 64;
/** The JSON store is measured at its documented ceiling, not at 1M. */
const JSON_LICENSES = Number(process.env.BENCH_JSON_LICENSES ?? 5000);
const WARMUP = Math.max(1, Math.round(DURATION / 5));
const EXACT_AMOUNT = CONNECTIONS * 100; // requests of the count-exact run that follows each write run

const results = {
  startedAt: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30) },
  config: { durationS: DURATION, warmupS: WARMUP, connections: CONNECTIONS, licenses: LICENSES, exactAmount: EXACT_AMOUNT },
  floors: {},
  // One entry per store: { licenses, import, startup, endpoints, exactness, rss }.
  stores: {},
  targets: [],
  problems: [], // anything here makes the exit code 1
};
const scratch = []; // files and dirs removed at the end unless BENCH_KEEP=1
const log = (msg) => console.error(`[bench] ${msg}`);

async function main() {
  mkdirSync(OUT, { recursive: true });
  for (const d of readdirSync(OUT)) if (d.startsWith('data-')) rmSync(join(OUT, d), { recursive: true, force: true });

  const csv = join(OUT, `licenses-${LICENSES}.csv`);
  scratch.push(csv);
  log(`writing ${LICENSES} licenses to ${relative(ROOT, csv)}`);
  const pools = await writeLicenses(csv, LICENSES, 'bench');

  // The floors get the very requests validate gets: same bodies, same client, same connections.
  await floor('U', 'plain', pools);
  await floor('S', 'sign', pools);
  if (process.env.BENCH_FLOORS_ONLY !== '1') {
    await benchServer('sqlite', csv, pools, LICENSES, {});
    if (process.env.BENCH_POSTGRES !== '0') await benchPostgres(csv, pools);
    if (process.env.BENCH_JSON !== '0') await benchJson();
  }
  // S once more at the end: this machine's speed drifts, and the two S runs show by how much.
  await floor('S2', 'sign', pools);
}

async function floor(name, mode, pools) {
  log(`floor ${name} (${mode})`);
  const child = start(process.execPath, [join(HERE, 'floor-server.mjs'), mode]);
  try {
    const { port } = await firstJsonLine(child, 10_000);
    results.floors[name] = await measure(`http://127.0.0.1:${port}`, '/v1/licenses/validate', bodies.validate(pools));
  } finally {
    await stop(child);
  }
}

/**
 * Seeds `licenses` licenses from `csv` into the store that `storeEnv` names, starts the server
 * on it and measures the three endpoints; the figures go to results.stores[label].
 */
async function benchServer(label, csv, pools, licenses, storeEnv) {
  const dataDir = mkdtempSync(join(OUT, 'data-'));
  scratch.push(dataDir);
  const env = { ...process.env, BATCHKEYS_DATA_DIR: dataDir, ...storeEnv };
  const r = (results.stores[label] = { licenses, endpoints: {}, exactness: {} });
  const cli = (args, timeoutMs) => run(process.execPath, [BIN, ...args], { cwd: ROOT, env, timeoutMs });
  log(`${label}: init, product create`);
  await cli(['init'], 60_000);
  await cli(['product', 'create', '--name', 'Bench', '--slug', 'bench'], 60_000);
  log(`${label}: import of ${licenses} licenses`);
  const imp = await cli(['import', csv], 20 * 60_000);
  r.import = { seconds: imp.seconds, licenses, output: imp.stdout.trim().slice(-300) };

  const server = await startServer(env);
  r.startup = { seconds: server.startupS };
  const rss = sampleRss(server.child.pid);
  try {
    await checkSignature(server.url, server.signingKey, pools.validate[0]);
    log(`${label}: validate`);
    r.endpoints.validate = await measure(server.url, '/v1/licenses/validate', bodies.validate(pools));
    log(`${label}: consume`);
    r.endpoints.consume = await measureWrites(r, 'consume', server.url, '/v1/licenses/consume',
      bodies.consume(pools), pools.consume, (l) => TOKENS - l.tokens.remaining, '200');
    log(`${label}: activate`);
    r.endpoints.activate = await measureWrites(r, 'activate', server.url, '/v1/licenses/activate',
      bodies.activate(pools), pools.activate, (l) => l.activations, '201');
    if (server.child.exitCode !== null) throw new Error(`server exited during the run:\n${server.child.tail()}`);
  } finally {
    r.rss = rss.stop();
    await stop(server.child);
  }
}

/** The same 1M licenses on a throwaway PostgreSQL (fsync on, synchronous_commit off). */
async function benchPostgres(csv, pools) {
  const { startPostgres, createDatabase } = await import('../dist/devtools/pg-cluster.js');
  log('postgres: starting a throwaway cluster');
  const pg = await startPostgres({ durable: true });
  try {
    const db = await createDatabase(pg.url, 'bench');
    await benchServer('postgres', csv, pools, LICENSES, { BATCHKEYS_STORE: 'postgres', BATCHKEYS_DATABASE_URL: db.url });
  } finally {
    await pg.stop();
  }
}

/** The JSON store at the ceiling the README states for it. */
async function benchJson() {
  const csv = join(OUT, `licenses-json-${JSON_LICENSES}.csv`);
  scratch.push(csv);
  const pools = await writeLicenses(csv, JSON_LICENSES, 'bench', { sample: Math.floor(JSON_LICENSES / 5) });
  await benchServer('json', csv, pools, JSON_LICENSES, { BATCHKEYS_STORE: 'json' });
}

/** Starts `batchkeys serve`; resolves when GET /v1/signing-key answers 200 (polled every 10 ms). */
async function startServer(env) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = start(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env: { ...env, BATCHKEYS_HOST: '127.0.0.1', BATCHKEYS_PORT: String(port), BATCHKEYS_RATE_LIMIT: '0' },
  });
  while (performance.now() - t0 < 30_000 && child.exitCode === null) {
    try {
      const res = await fetch(`${url}/v1/signing-key`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) {
        const startupS = (performance.now() - t0) / 1000;
        log(`server up in ${(startupS * 1000).toFixed(0)} ms at ${url}`);
        return { child, url, startupS, signingKey: await res.json() };
      }
    } catch { /* not listening yet */ }
    await sleep(10);
  }
  const why = child.exitCode === null ? 'did not answer GET /v1/signing-key within 30 s' : `exited with code ${child.exitCode}`;
  throw new Error(`\`batchkeys serve\` ${why}:\n${child.tail()}`);
}

/** Every license answer must be signed: a bench of unsigned answers would flatter the server. */
async function checkSignature(url, signingKey, key) {
  const res = await fetch(`${url}/v1/licenses/validate`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key, nonce: 'bench' }),
  });
  const body = Buffer.from(await res.arrayBuffer());
  const sig = /^ed25519=(.+)$/.exec(res.headers.get('batchkeys-signature') ?? '')?.[1];
  if (!sig || !verify(null, body, createPublicKey(signingKey.pem), Buffer.from(sig, 'base64'))) {
    results.problems.push(`validate answer not signed as the contract says: ${body.toString().slice(0, 200)}`);
  }
  if (res.status !== 200 || JSON.parse(body.toString()).code !== 'VALID') {
    results.problems.push(`a seeded key does not validate: ${res.status} ${body.toString().slice(0, 300)}`);
  }
}

const warmUp = (url, path, makeBody) => load({ url, path, connections: CONNECTIONS, duration: WARMUP, makeBody });
const timed = async (url, path, makeBody) =>
  flagFailures(path, await load({ url, path, connections: CONNECTIONS, duration: DURATION, makeBody }));

async function measure(url, path, makeBody) {
  await warmUp(url, path, makeBody);
  return timed(url, path, makeBody);
}

/** Any non-2xx answer or socket error in a measured run is a problem, not a figure. */
function flagFailures(path, r) {
  if (r.non2xx || r.errors) results.problems.push(`${path}: ${r.non2xx} non-2xx ${JSON.stringify(r.byStatus)}, ${r.errors} errors, ${r.timeouts} timeouts`);
  return r;
}

/**
 * Measures a write endpoint and checks that the store counted every success exactly once:
 * read(license) summed over the pool, before and after, must move by the number of `success`
 * answers. The timed run can only be bounded (requests cut at its end may have run), so a run
 * of exactly EXACT_AMOUNT requests follows it, whose count must match to the unit.
 */
async function measureWrites(store, name, url, path, makeBody, keys, read, success) {
  const sum = () => sumOver(url, keys, read);
  await warmUp(url, path, makeBody);
  await sleep(1000); // requests cut off at the end of the warm-up may still be running
  const s0 = await sum();
  const run = await timed(url, path, makeBody);
  await sleep(1000); // let the requests cut off at the end of the run finish on the server
  const s1 = await sum();
  const exact = flagFailures(path, await load({ url, path, connections: CONNECTIONS, amount: EXACT_AMOUNT, makeBody }));
  const s2 = await sum();

  const t = { successes: run.byStatus[success] ?? 0, stored: s1 - s0, unanswered: run.unanswered };
  t.ok = t.successes <= t.stored && t.stored <= t.successes + t.unanswered;
  const e = { successes: exact.byStatus[success] ?? 0, stored: s2 - s1, answered: exact.answered };
  e.ok = e.stored === e.successes && e.answered === EXACT_AMOUNT;
  store.exactness[name] = { pool: keys.length, timed: t, exact: e };
  if (!t.ok || !e.ok) results.problems.push(`${name}: successes and store do not add up ${JSON.stringify(store.exactness[name])}`);
  return run;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => { stopAll().finally(() => process.exit(130)); });
}

try {
  await main();
} catch (err) {
  results.problems.push(err instanceof Error ? err.message : String(err));
} finally {
  await stopAll();
  if (process.env.BENCH_KEEP !== '1') for (const p of scratch) rmSync(p, { recursive: true, force: true });
  judge(results);
  print(results);
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults: ${relative(ROOT, join(OUT, 'results.json'))}`);
}
process.exit(results.problems.length ? 1 : 0);
