// Judges the figures against the targets and prints them; the same data goes to results.json.

export const TARGETS = {
  validateVsS: 0.9, validateP99Ms: 20, writeVsS: 0.6, rssMb: 300, startupS: 1, importS: 60,
  pgValidateVsS: 0.5, pgConsumeVsS: 0.3,
};

/** Adds results.sBasis and results.targets (PASS/FAIL) to `results`. */
export function judge(results) {
  const { S, S2 } = results.floors;
  // The machine's speed drifts during a run: ratios are taken against the mean of S at start and end.
  const s = S && S2 ? (S.rps + S2.rps) / 2 : S?.rps;
  results.sBasis = s ?? null;
  const check = (what, value, target, pass) => results.targets.push({ what, value, target, pass });
  const ratio = (label, name, r, min) => {
    if (s && r) check(`${label} ${name} throughput`, r.rps / s, `>= ${min} x S`, r.rps >= min * s);
  };
  const sqlite = results.stores.sqlite;
  if (sqlite) {
    const { validate, consume, activate } = sqlite.endpoints;
    ratio('sqlite', 'validate', validate, TARGETS.validateVsS);
    if (validate) check('sqlite validate p99 ms', validate.p99, `<= ${TARGETS.validateP99Ms}`, validate.p99 <= TARGETS.validateP99Ms);
    ratio('sqlite', 'consume', consume, TARGETS.writeVsS);
    ratio('sqlite', 'activate', activate, TARGETS.writeVsS);
    if (sqlite.rss) check('sqlite server RSS peak MB', sqlite.rss.peak, `<= ${TARGETS.rssMb}`, sqlite.rss.peak <= TARGETS.rssMb);
    if (sqlite.startup) check('sqlite start-up s', sqlite.startup.seconds, `< ${TARGETS.startupS}`, sqlite.startup.seconds < TARGETS.startupS);
    if (sqlite.import) check(`sqlite import of ${sqlite.import.licenses} s`, sqlite.import.seconds, `<= ${TARGETS.importS}`, sqlite.import.seconds <= TARGETS.importS);
  }
  const pg = results.stores.postgres;
  if (pg) {
    ratio('postgres', 'validate', pg.endpoints.validate, TARGETS.pgValidateVsS);
    ratio('postgres', 'consume', pg.endpoints.consume, TARGETS.pgConsumeVsS);
  }
}

export function print(results) {
  const { floors: f, sBasis: s, config: c, machine: m } = results;
  const u = f.U?.rps;
  console.log(`\nBatchKeys bench: ${c.connections} connections, ${c.durationS} s per run (+${c.warmupS} s warm-up), ` +
    `${c.licenses.toLocaleString('en')} licenses, node ${m.node}, ${m.cpus} CPUs\n`);
  const rows = [['run', 'req/s', 'x S', 'x U', 'p50 ms', 'p99 ms', 'non-2xx']];
  const runs = [['floor U (node:http)', f.U], ['floor S (+ Ed25519), start', f.S], ['floor S (+ Ed25519), end', f.S2]];
  for (const [label, st] of Object.entries(results.stores)) {
    for (const ep of ['validate', 'consume', 'activate']) runs.push([`${label} ${ep} (${st.licenses.toLocaleString('en')})`, st.endpoints[ep]]);
  }
  for (const [name, r] of runs) {
    if (!r) continue;
    rows.push([name, Math.round(r.rps).toLocaleString('en'), s ? (r.rps / s).toFixed(2) : '-',
      u ? (r.rps / u).toFixed(2) : '-', String(r.p50), String(r.p99), String(r.non2xx + r.errors)]);
  }
  console.log(table(rows));
  if (f.S && f.S2) {
    const drift = Math.abs(f.S.rps - f.S2.rps) / s;
    if (drift > 0.1) console.log(`note: floor S moved ${(drift * 100).toFixed(0)}% between start and end; the machine is noisy, read ratios with that margin`);
  }

  if (results.targets.length) {
    const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
    console.log(`\n${table([['target', 'value', 'wanted', ''],
      ...results.targets.map((t) => [t.what, fmt(t.value), t.target, t.pass ? 'PASS' : 'FAIL'])])}`);
  }
  for (const [label, st] of Object.entries(results.stores)) {
    const extra = [st.import && `import ${st.import.seconds.toFixed(1)} s`, st.startup && `start-up ${st.startup.seconds.toFixed(2)} s`,
      st.rss && `RSS peak ${st.rss.peak.toFixed(0)} MB`].filter(Boolean).join(', ');
    console.log(`${label}: ${extra}`);
  }
  for (const [name, x] of Object.entries(results.stores).flatMap(([label, st]) => Object.entries(st.exactness).map(([n, v]) => [`${label} ${n}`, v]))) {
    console.log(`\nexactness of ${name} over ${x.pool} keys:` +
      `\n  timed run: ${x.timed.successes} successes, store moved ${x.timed.stored} (${x.timed.unanswered} requests cut in flight) ${x.timed.ok ? 'OK' : 'MISMATCH'}` +
      `\n  exact run: ${x.exact.successes} successes of ${x.exact.answered} answers, store moved ${x.exact.stored} ${x.exact.ok ? 'OK' : 'MISMATCH'}`);
  }
  for (const p of results.problems) console.log(`\nPROBLEM: ${p}`);
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}
