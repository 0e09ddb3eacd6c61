import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { compileTrust } from './http/client-ip.js';

/** Every setting, with the environment variable it comes from. The config file uses the same names. */
const intString = (min: number, max: number) => {
  const accepts = `must be a whole number from ${min} to ${max}`;
  return z.union([z.number(), z.string().trim().regex(/^\d+$/, accepts)], { error: accepts })
    .transform(Number).pipe(z.number().int(accepts).min(min, accepts).max(max, accepts));
};

const onOff = z.union([z.boolean(), z.enum(['on', 'off', 'true', 'false', '1', '0'])], { error: 'must be on or off' })
  .transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

const schema = z.strictObject({
  BATCHKEYS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  BATCHKEYS_PORT: intString(0, 65535).default(8787),
  BATCHKEYS_DATA_DIR: z.string().trim().min(1).default('./data'),
  BATCHKEYS_STORE: z.enum(['sqlite', 'json', 'postgres'], { error: 'must be sqlite, json or postgres' }).default('sqlite'),
  BATCHKEYS_DATABASE_URL: z.string().trim().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string').optional(),
  BATCHKEYS_BOOTSTRAP_TOKEN: z.string().trim().min(24, 'must be at least 24 characters').max(256, 'must be at most 256 characters').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
  BATCHKEYS_RATE_LIMIT: intString(0, 10_000_000).default(1200),
  BATCHKEYS_KEY_RATE_LIMIT: intString(0, 10_000_000).optional(),
  BATCHKEYS_TRUST_PROXY: z.string().trim().optional().refine((v) => {
    if (v === undefined) return true;
    try {
      compileTrust(v);
      return true;
    } catch {
      return false;
    }
  }, 'must use Express trust proxy syntax: loopback, a list of addresses or CIDR ranges, a hop count, true or false'),
  BATCHKEYS_DEV_HOSTS: z.string().default('').transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9*._-]+$/, 'must be host patterns such as *.wpengine.com'))),
  BATCHKEYS_SECRETS_FILE: z.string().trim().min(1).optional(),
  BATCHKEYS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be fatal, error, warn, info, debug, trace or silent' }).default('info'),
  BATCHKEYS_LOG_COLLECTOR_URL: z.string().trim().regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL').optional(),
  BATCHKEYS_REQUEST_LOG: onOff.default(true),
  // Retention in days per data class; 0 keeps that class forever.
  BATCHKEYS_RETENTION_REQUEST_LOG_DAYS: intString(0, 36_500).default(90),
  BATCHKEYS_RETENTION_IP_DAYS: intString(0, 36_500).default(14),
  BATCHKEYS_RETENTION_AUDIT_DAYS: intString(0, 36_500).default(730),
  BATCHKEYS_RETENTION_DEACTIVATED_DAYS: intString(0, 36_500).default(90),
  BATCHKEYS_RETENTION_EXPIRED_LICENSE_DAYS: intString(0, 36_500).default(730),
  BATCHKEYS_PURGE_INTERVAL_MINUTES: intString(0, 10_080).default(60),
  BATCHKEYS_CONTROLLER_NAME: z.string().trim().min(1).max(200).optional(),
  BATCHKEYS_PRIVACY_CONTACT: z.string().trim().min(3).max(254).optional(),
  BATCHKEYS_DPO_CONTACT: z.string().trim().min(3).max(254).optional(),
  BATCHKEYS_SUPERVISORY_AUTHORITY: z.string().trim().min(1).max(300).optional(),
  BATCHKEYS_SUBPROCESSORS: z.union([z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {name, purpose, location}' });
      return z.NEVER;
    }
  }), z.array(z.unknown())]).pipe(z.array(z.strictObject({
    name: z.string().trim().min(1).max(200),
    purpose: z.string().trim().min(1).max(500),
    location: z.string().trim().min(1).max(200),
  }), { error: 'must be a JSON array of {name, purpose, location}' })).default([]),
});

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  store: 'sqlite' | 'json' | 'postgres';
  /** The SQLite or JSON file; by default `batchkeys.db` or `batchkeys.json` in the data dir. */
  storeFile?: string | undefined;
  databaseUrl: string | undefined;
  bootstrapToken: string | undefined;
  /** Requests per client IP in any 60 s; 0: off. */
  rateLimit: number;
  /** Requests per key in any 60 s; 0: off. */
  keyRateLimit: number;
  trustProxy: string | undefined;
  devHosts: string[];
  secretsFile: string;
  logLevel: string;
  /** Where scrubbed log lines are also shipped (newline-delimited JSON over HTTP POST). */
  logCollectorUrl: string | undefined;
  privacy: PrivacyConfig;
}

export interface Subprocessor {
  name: string;
  purpose: string;
  location: string;
}

/** Retention periods in days (0: kept until erased) and what the privacy policy names. */
export interface PrivacyConfig {
  requestLog: boolean;
  retention: {
    requestLogDays: number;
    ipDays: number;
    auditDays: number;
    deactivatedActivationDays: number;
    expiredLicenseDays: number;
  };
  purgeIntervalMinutes: number;
  controllerName: string | undefined;
  contact: string | undefined;
  dpoContact: string | undefined;
  supervisoryAuthority: string | undefined;
  subprocessors: Subprocessor[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the settings from the environment, over an optional JSON config file named by
 * `BATCHKEYS_CONFIG`. A bad value throws a ConfigError naming the variable and what it accepts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let fromFile: Record<string, unknown> = {};
  if (env.BATCHKEYS_CONFIG) {
    try {
      fromFile = JSON.parse(readFileSync(env.BATCHKEYS_CONFIG, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`BATCHKEYS_CONFIG: cannot read ${env.BATCHKEYS_CONFIG} as JSON (${(err as Error).message})`);
    }
  }
  const raw: Record<string, unknown> = { ...fromFile };
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = i.path.length > 0 ? i.path.join('.') : '(config)';
      return i.code === 'unrecognized_keys'
        ? `unknown setting(s) ${i.keys.join(', ')} in the config file`
        : `${name}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const c = parsed.data;
  if (c.BATCHKEYS_STORE === 'postgres' && !c.BATCHKEYS_DATABASE_URL) {
    throw new ConfigError('invalid configuration:\n  BATCHKEYS_DATABASE_URL: required when BATCHKEYS_STORE is postgres');
  }
  const dataDir = resolve(c.BATCHKEYS_DATA_DIR);
  return {
    host: c.BATCHKEYS_HOST,
    port: c.BATCHKEYS_PORT,
    dataDir,
    store: c.BATCHKEYS_STORE,
    databaseUrl: c.BATCHKEYS_DATABASE_URL,
    bootstrapToken: c.BATCHKEYS_BOOTSTRAP_TOKEN,
    rateLimit: c.BATCHKEYS_RATE_LIMIT,
    // Without its own setting the per-key guard follows the per-IP limit: off when it is off.
    keyRateLimit: c.BATCHKEYS_KEY_RATE_LIMIT ?? (c.BATCHKEYS_RATE_LIMIT === 0 ? 0 : Math.max(c.BATCHKEYS_RATE_LIMIT, 1200)),
    trustProxy: c.BATCHKEYS_TRUST_PROXY,
    devHosts: c.BATCHKEYS_DEV_HOSTS,
    secretsFile: resolve(c.BATCHKEYS_SECRETS_FILE ?? `${dataDir}/secrets.json`),
    logLevel: c.BATCHKEYS_LOG_LEVEL,
    logCollectorUrl: c.BATCHKEYS_LOG_COLLECTOR_URL,
    privacy: {
      requestLog: c.BATCHKEYS_REQUEST_LOG,
      retention: {
        requestLogDays: c.BATCHKEYS_RETENTION_REQUEST_LOG_DAYS,
        ipDays: c.BATCHKEYS_RETENTION_IP_DAYS,
        auditDays: c.BATCHKEYS_RETENTION_AUDIT_DAYS,
        deactivatedActivationDays: c.BATCHKEYS_RETENTION_DEACTIVATED_DAYS,
        expiredLicenseDays: c.BATCHKEYS_RETENTION_EXPIRED_LICENSE_DAYS,
      },
      purgeIntervalMinutes: c.BATCHKEYS_PURGE_INTERVAL_MINUTES,
      controllerName: c.BATCHKEYS_CONTROLLER_NAME,
      contact: c.BATCHKEYS_PRIVACY_CONTACT,
      dpoContact: c.BATCHKEYS_DPO_CONTACT,
      supervisoryAuthority: c.BATCHKEYS_SUPERVISORY_AUTHORITY,
      subprocessors: c.BATCHKEYS_SUBPROCESSORS,
    },
  };
}
