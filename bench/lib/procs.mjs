// Child processes of the benchmark: every one is tracked so that none outlives the run.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const children = new Set();

/** Spawns a tracked child; its last output is kept in child.tail() for error messages. */
export function start(cmd, args, options = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const keep = (chunk) => { out = (out + chunk).slice(-4000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.tail = () => out.trim();
  return child;
}

/** SIGTERM, then SIGKILL if the child has not gone after graceMs. */
export function stop(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}

export const stopAll = () => Promise.all([...children].map((c) => stop(c)));

/** Runs a command to completion (bounded by timeoutMs); rejects on a non-zero exit. */
export function run(cmd, args, { timeoutMs, ...options }) {
  const child = start(cmd, args, options);
  let stdout = '';
  child.stdout.on('data', (c) => { stdout += c; });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      if (code === 0) resolve({ stdout, seconds });
      else reject(new Error(`\`${[cmd, ...args].join(' ')}\` ended with ${signal ?? `code ${code}`} after ${seconds.toFixed(1)} s:\n${child.tail()}`));
    });
  });
}

/** Resolves with the first stdout line of `child` that is a JSON object, within timeoutMs. */
export function firstJsonLine(child, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const fail = (why) => { cleanup(); reject(new Error(`${why}:\n${child.tail()}`)); };
    const onData = (chunk) => {
      buf += chunk;
      for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) {
        let v;
        try { v = JSON.parse(buf.slice(0, i)); } catch { continue; }
        if (v && typeof v === 'object') { cleanup(); resolve(v); return; }
      }
    };
    const onExit = () => fail('process ended before announcing its port');
    const timer = setTimeout(() => fail(`no announcement within ${timeoutMs} ms`), timeoutMs);
    const cleanup = () => { clearTimeout(timer); child.stdout.off('data', onData); child.off('exit', onExit); };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
}

/** A port that was free a moment ago (the server is told its port, it cannot announce it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MB, from /proc (Linux only); null when unreadable. */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples rssMb(pid) every intervalMs until stopped; returns { peak, last }. */
export function sampleRss(pid, intervalMs = 200) {
  let peak = 0;
  let last = null;
  const take = () => { last = rssMb(pid); if (last !== null && last > peak) peak = last; };
  take();
  const timer = setInterval(take, intervalMs);
  return { stop: () => { clearInterval(timer); take(); return { peak, last }; } };
}
