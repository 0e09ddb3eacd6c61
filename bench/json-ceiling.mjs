// The JSON store's ceiling: how many token consumes a second it takes, and how big its file
// gets, as the number of licenses grows. Run after `npm run build` (it imports from dist/):
//   node bench/json-ceiling.mjs            sizes 1000,5000,20000,50000, 3 s per measure
//   JSON_SIZES=1000,100000 JSON_SECONDS=2 node bench/json-ceiling.mjs
// Each consume is a change acknowledged only once the whole file is rewritten (temporary file
// and rename), so the figures are about the file, not the HTTP layer: the server's own cost
// (parsing, Ed25519 signing, about 7-9k answers a second here) comes on top.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyVault } from '../dist/crypto/keys.js';
import { newId } from '../dist/domain/ids.js';
import { JsonStore } from '../dist/store/json/index.js';

const SIZES = (process.env.JSON_SIZES ?? '1000,5000,20000,50000').split(',').map(Number);
const SECONDS = Number(process.env.JSON_SECONDS ?? 3);
const IN_FLIGHT = 32;
const NOW = Date.now();
const vault = new KeyVault(randomBytes(32), randomBytes(32));
const render = (d) => ({
  status: d.kind === 'ok' ? 200 : 409,
  body: Buffer.from(JSON.stringify(d.kind === 'ok' ? { consumed: d.consumed, remaining: d.license.tokensRemaining } : { code: d.code })),
});

/** A store of n licenses shaped like real ones (a third with a token budget), and the token keys' digests. */
async function seed(file, n) {
  const store = await JsonStore.open(file);
  const accountId = newId('acc');
  const productId = newId('prd');
  await store.createAccount({ id: accountId, name: 'Bench', status: 'active', operator: true, createdAt: NOW, updatedAt: NOW });
  await store.createProduct({ id: productId, accountId, name: 'Bench', slug: 'bench', keyPrefix: null, metadata: {}, createdAt: NOW, updatedAt: NOW });
  const digests = [];
  async function* rows() {
    for (let i = 0; i < n; i++) {
      const key = randomBytes(19).toString('base64url');
      const tokens = i % 3 === 1 ? 1_000_000 : null;
      if (tokens !== null) digests.push(vault.digest(key));
      yield {
        id: newId('lic', NOW + i), accountId, productId, productSlug: 'bench', policyId: null, keyDigest: vault.digest(key),
        keyEncrypted: vault.encrypt(key), status: 'active', expiresAt: null, durationDays: null, lock: i % 3 === 2 ? 'domain' : 'none',
        maxActivations: i % 3 === 2 ? 3 : null, activationCount: 0, tokensRemaining: tokens, tokensTotal: tokens,
        email: `user${i}@example.com`, name: `User ${i}`, metadata: { order: 1000 + i }, createdAt: NOW, updatedAt: NOW,
      };
    }
  }
  await store.importLicenses(rows());
  return { store, digests };
}

/** Runs `workers` loops of one consume at a time for SECONDS; answers per second and latency percentiles. */
async function measure(store, digests, workers) {
  const latencies = [];
  const end = performance.now() + SECONDS * 1000;
  let i = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < end) {
      const digest = digests[i++ % digests.length];
      const t = performance.now();
      const out = await store.consume({ digest, amount: 1, idempotencyKey: null, ledgerId: newId('led'), now: NOW, render });
      if (out.kind !== 'answer' || out.response.status !== 200) throw new Error(`unexpected outcome ${JSON.stringify(out)}`);
      latencies.push(performance.now() - t);
    }
  }));
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  return { perSecond: latencies.length / SECONDS, p50: pct(0.5), p99: pct(0.99) };
}

const mb = (file) => statSync(file).size / 2 ** 20;
const rows = [];
for (const n of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'batchkeys-json-bench-'));
  const file = join(dir, 'batchkeys.json');
  try {
    const t0 = performance.now();
    const { store, digests } = await seed(file, n);
    const seedS = (performance.now() - t0) / 1000;
    const sizeBefore = mb(file);
    const one = await measure(store, digests, 1);
    const many = await measure(store, digests, IN_FLIGHT);
    await store.close();
    const t1 = performance.now();
    const reopened = await JsonStore.open(file);
    const openS = (performance.now() - t1) / 1000;
    await reopened.close();
    rows.push({ n, sizeBefore, sizeAfter: mb(file), seedS, openS, one, many });
    console.error(`[json-ceiling] ${n} licenses done`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (v, d = 0) => v.toFixed(d);
console.log(`JSON store ceiling (node ${process.version}, ${SECONDS} s per measure; consumes of 1 token, each acknowledged after the file is rewritten)`);
console.log('| licenses | file MB (start → end) | open s | consume/s, 1 at a time | p99 ms | consume/s, 32 in flight | p50 ms | p99 ms |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.n} | ${f(r.sizeBefore, 1)} → ${f(r.sizeAfter, 1)} | ${f(r.openS, 2)} | ${f(r.one.perSecond)} | ${f(r.one.p99, 1)} | ${f(r.many.perSecond)} | ${f(r.many.p50, 1)} | ${f(r.many.p99, 1)} |`);
}
