import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'batchkeys-config-'));
  made.push(d);
  return d;
}

function configFile(content: unknown): string {
  const file = join(tempDir(), 'batchkeys.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The ConfigError that loading this environment throws (fails the test if it does not throw one). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const c = loadConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8787);
    expect(c.store).toBe('sqlite');
    expect(c.rateLimit).toBe(1200);
    expect(c.keyRateLimit).toBe(1200);
    expect(c.dataDir).toBe(resolve('./data'));
    expect(c.secretsFile).toBe(join(resolve('./data'), 'secrets.json'));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.bootstrapToken).toBeUndefined();
    expect(c.trustProxy).toBeUndefined();
    expect(c.devHosts).toEqual([]);
  });

  it('does not read process.env when given an environment', () => {
    const saved = process.env.BATCHKEYS_PORT;
    process.env.BATCHKEYS_PORT = 'not-a-port';
    try {
      expect(loadConfig({}).port).toBe(8787);
    } finally {
      if (saved === undefined) delete process.env.BATCHKEYS_PORT;
      else process.env.BATCHKEYS_PORT = saved;
    }
  });

  it('reads every setting from the environment', () => {
    const dir = tempDir();
    const c = loadConfig({
      BATCHKEYS_HOST: '0.0.0.0', BATCHKEYS_PORT: '9000', BATCHKEYS_DATA_DIR: dir, BATCHKEYS_STORE: 'postgres',
      BATCHKEYS_DATABASE_URL: 'postgres://u:p@db/batchkeys', BATCHKEYS_RATE_LIMIT: '0', BATCHKEYS_TRUST_PROXY: 'loopback',
      BATCHKEYS_DEV_HOSTS: '*.wpengine.com, *.kinsta.cloud', BATCHKEYS_BOOTSTRAP_TOKEN: 'bk_an-operator-chosen-token-123456',
    });
    expect(c).toMatchObject({
      host: '0.0.0.0', port: 9000, dataDir: dir, store: 'postgres', databaseUrl: 'postgres://u:p@db/batchkeys',
      rateLimit: 0, keyRateLimit: 0, trustProxy: 'loopback', devHosts: ['*.wpengine.com', '*.kinsta.cloud'],
      bootstrapToken: 'bk_an-operator-chosen-token-123456', secretsFile: join(dir, 'secrets.json'),
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ BATCHKEYS_PORT: '', BATCHKEYS_STORE: '' })).toMatchObject({ port: 8787, store: 'sqlite' });
  });

  it.each([
    ['BATCHKEYS_PORT', 'abc'],
    ['BATCHKEYS_PORT', '70000'],
    ['BATCHKEYS_PORT', '-1'],
    ['BATCHKEYS_PORT', '80.5'],
    ['BATCHKEYS_STORE', 'mysql'],
    ['BATCHKEYS_RATE_LIMIT', '-1'],
    ['BATCHKEYS_RATE_LIMIT', 'lots'],
    ['BATCHKEYS_DATABASE_URL', 'mysql://db/x'],
    ['BATCHKEYS_BOOTSTRAP_TOKEN', 'short'],
    ['BATCHKEYS_DEV_HOSTS', 'ok.example, not a host'],
    ['BATCHKEYS_LOG_LEVEL', 'loud'],
    ['BATCHKEYS_TRUST_PROXY', 'not-an-address'],
  ])('refuses %s=%s with a ConfigError naming the variable', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.message).toContain(name);
    // It says what was wrong, not just the name.
    expect(err.message.length).toBeGreaterThan(name.length + 10);
  });

  it('refuses the postgres store without BATCHKEYS_DATABASE_URL', () => {
    const err = configError({ BATCHKEYS_STORE: 'postgres' });
    expect(err.message).toContain('BATCHKEYS_DATABASE_URL');
  });

  it('names every bad variable at once', () => {
    const err = configError({ BATCHKEYS_PORT: 'abc', BATCHKEYS_STORE: 'mysql' });
    expect(err.message).toContain('BATCHKEYS_PORT');
    expect(err.message).toContain('BATCHKEYS_STORE');
  });

  it('reads the JSON file named by BATCHKEYS_CONFIG', () => {
    const dir = tempDir();
    const file = configFile({ BATCHKEYS_PORT: 9100, BATCHKEYS_HOST: '::1', BATCHKEYS_DATA_DIR: dir, BATCHKEYS_RATE_LIMIT: '50' });
    expect(loadConfig({ BATCHKEYS_CONFIG: file })).toMatchObject({ port: 9100, host: '::1', dataDir: dir, rateLimit: 50 });
  });

  it('lets the environment override the config file', () => {
    const file = configFile({ BATCHKEYS_PORT: 9100, BATCHKEYS_STORE: 'sqlite', BATCHKEYS_HOST: '::1' });
    const c = loadConfig({ BATCHKEYS_CONFIG: file, BATCHKEYS_PORT: '9200' });
    expect(c.port).toBe(9200);
    expect(c.host).toBe('::1');
  });

  it('checks values from the config file like those from the environment', () => {
    const file = configFile({ BATCHKEYS_PORT: 123456 });
    expect(configError({ BATCHKEYS_CONFIG: file }).message).toContain('BATCHKEYS_PORT');
  });

  it('refuses unknown keys in the config file, naming them', () => {
    const file = configFile({ BATCHKEYS_PORT: 9100, BATCHKEYS_PROT: 9200 });
    const err = configError({ BATCHKEYS_CONFIG: file });
    expect(err.message).toContain('BATCHKEYS_PROT');
  });

  it('refuses a config file that is missing or not JSON, naming BATCHKEYS_CONFIG', () => {
    const missing = join(tempDir(), 'nope.json');
    expect(configError({ BATCHKEYS_CONFIG: missing }).message).toContain('BATCHKEYS_CONFIG');
    const broken = configFile('{ "BATCHKEYS_PORT": ');
    expect(configError({ BATCHKEYS_CONFIG: broken }).message).toContain('BATCHKEYS_CONFIG');
  });
});

describe('batchkeys serve with a bad setting', () => {
  it('exits non-zero with a message naming BATCHKEYS_PORT and no stack trace', async () => {
    const dir = tempDir();
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BATCHKEYS_') && v !== undefined) env[k] = v;
    Object.assign(env, { BATCHKEYS_DATA_DIR: dir, BATCHKEYS_PORT: 'abc', BATCHKEYS_LOG_LEVEL: 'silent' });
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'batchkeys.js'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((res) => child.once('close', (c) => res(c)));
    clearTimeout(timer);

    expect(code).not.toBe(0);
    expect(code).not.toBeNull(); // it exited by itself rather than being killed
    expect(stderr).toContain('BATCHKEYS_PORT');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toMatch(/ConfigError|node:internal/);
    expect(stdout).not.toMatch(/serving/i);
  });
});
