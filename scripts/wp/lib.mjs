// Small process and path helpers shared by the WordPress provisioning scripts.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheDir = process.env.BATCHKEYS_WP_CACHE ?? join(repoRoot, '.cache', 'wordpress');

export function log(msg) {
  if (process.env.BATCHKEYS_WP_QUIET !== '1') console.error(`[wordpress] ${msg}`);
}

/**
 * Runs a command to completion and resolves with its output; rejects with the tail of its
 * output on a non-zero exit or when it outlives `timeoutMs` (nothing here may hang CI).
 */
export function run(cmd, args, { cwd, env, input, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} ${signal ? `killed (${signal})` : `exited ${code}`}\n${tail}`));
    });
    if (input !== undefined) {
      child.stdin.on('error', () => { /* the exit code tells what happened */ });
      child.stdin.end(input);
    }
  });
}

/** A free loopback port, chosen by the kernel. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** True when `port` can be listened on at 127.0.0.1 right now. */
export function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
