import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin', 'batchkeys.js');

if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) {
  throw new Error('dist/cli/index.js is missing: run `npm run build` before the CLI tests');
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a child: ours without any BATCHKEYS_* setting, plus the given ones. */
export function childEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('BATCHKEYS_') && value !== undefined) env[name] = value;
  }
  return { ...env, NO_COLOR: '1', BATCHKEYS_LOG_LEVEL: 'silent', ...settings };
}

/** Runs `node bin/batchkeys.js ...args` to its end. */
export function runCli(args: string[], settings: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(settings), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('close', (code) => { clearTimeout(timer); resolvePromise({ code, stdout, stderr }); });
  });
}

/** A CLI bound to one data dir; `ok` fails the test with the child's stderr when it exits non-zero. */
export interface Cli {
  dir: string;
  run(...args: string[]): Promise<RunResult>;
  ok(...args: string[]): Promise<string>;
}

export function cliFor(dir: string, extra: Record<string, string> = {}): Cli {
  const settings = { BATCHKEYS_DATA_DIR: dir, ...extra };
  const run = (...args: string[]) => runCli(args, settings);
  return {
    dir,
    run,
    async ok(...args: string[]) {
      const r = await run(...args);
      if (r.code !== 0) throw new Error(`batchkeys ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
      return r.stdout;
    },
  };
}

/**
 * Returns a function that makes a fresh temporary directory (one per test), and registers an
 * afterAll that removes them all (afterAll rather than afterEach, so that tests may run concurrently).
 */
export function tempDirs(): (prefix?: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return (prefix = 'batchkeys-test-') => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };
}

/** The rows of `license list` (header dropped), split on tabs. */
export function listRows(stdout: string): string[][] {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines[0]?.startsWith('id\t')) lines.shift();
  return lines.map((l) => l.split('\t'));
}

/** The first `bk_` token in a text, or null. */
export function tokenIn(text: string): string | null {
  return /\bbk_[A-Za-z0-9_-]{20,}/.exec(text)?.[0] ?? null;
}
