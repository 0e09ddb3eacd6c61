import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL for tests and benchmarks, from Debian's `postgresql` package: a cluster
 * in a temp folder, on a free loopback port, with its own unix-socket folder and trusted local
 * logins. Tests run it without fsync (nothing there must survive a crash); the benchmark runs
 * it `durable`: fsync on, and `synchronous_commit = off`, the same promise as the SQLite store's
 * WAL with `synchronous = NORMAL` (a killed server loses nothing acknowledged, an operating-system
 * crash may lose the last fraction of a second).
 */
export interface PostgresServer {
  /** Connection URL of the `postgres` maintenance database. */
  url: string;
  stop(): Promise<void>;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** The newest installed server's bin folder, e.g. /usr/lib/postgresql/15/bin. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): run `apt-get install postgresql`');
  }
  return join(root, versions[0]!, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` system user. */
function asPostgres(bin: string, args: string[]): void {
  const [cmd, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    execFileSync(cmd, argv, { stdio: 'pipe', timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new Error(`${[cmd, ...argv].join(' ')} failed: ${e.stderr?.toString() || e.stdout?.toString() || e.message}`);
  }
}

export async function startPostgres(options: { durable?: boolean } = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'batchkeys-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  const log = join(dir, 'postgres.log');
  mkdirSync(sockets);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const p of [dir, sockets]) chownSync(p, uid, gid);
  }
  const pgCtl = join(bin, 'pg_ctl');
  let started = false;
  const stopNow = (mode: 'fast' | 'immediate') => {
    if (started) asPostgres(pgCtl, ['stop', '-D', data, '-m', mode, '-w']);
    started = false;
  };
  // If the test run dies without its teardown, do not leave a server behind.
  const onExit = () => {
    try { stopNow('immediate'); } catch { /* best effort */ }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const settings = options.durable
      ? ['-c synchronous_commit=off', '-c shared_buffers=256MB']
      : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'];
    const serverOptions = [`-p ${port}`, '-h 127.0.0.1', `-k ${sockets}`, '-c max_connections=200', ...settings].join(' ');
    // -w: pg_ctl returns once the server accepts connections (or fails, with the log to say why).
    try {
      asPostgres(pgCtl, ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions]);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${readLog(log)}`);
    }
    started = true;
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.end();
    return {
      url,
      async stop() {
        process.removeListener('exit', onExit);
        try {
          stopNow('fast');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    process.removeListener('exit', onExit);
    onExit();
    throw err;
  }
}

function readLog(file: string): string {
  try {
    return execFileSync('tail', ['-n', '20', file]).toString();
  } catch {
    return '';
  }
}

/** Creates a new, uniquely named database on the server at `serverUrl`. */
export async function createDatabase(serverUrl: string, label: string): Promise<TestDatabase> {
  const name = `bk_${label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

