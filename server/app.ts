import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Core } from './core.js';
import { KeyVault } from './crypto/keys.js';
import { Signer } from './crypto/signing.js';
import { compileHostPatterns } from './domain/hosts.js';
import { AppError } from './domain/errors.js';
import { ADMIN_BODY_LIMIT, adminRoutes, createAdminRouter, problemMiddleware, sendProblem } from './http/admin-api.js';
import { clientIpResolver } from './http/client-ip.js';
import { docsPage } from './http/docs.js';
import { CORS_HEADERS, createLicenseApi, signingKeyBody } from './http/license-api.js';
import { openApiDocument } from './http/openapi.js';
import { privacyRoutes } from './http/privacy-api.js';
import { closeLogger, createLogger, logAccess } from './logging.js';
import { negotiatePolicyFormat, policyFacts, renderPolicy } from './privacy/policy.js';
import { loadSecrets } from './secrets.js';
import { createAccount, createToken } from './services/admin.js';
import { LastSeenBuffer } from './services/last-seen.js';
import { Auditor } from './privacy/audit.js';
import { RequestLog } from './privacy/request-log.js';
import { schedulePurge } from './privacy/retention.js';
import { IDEMPOTENCY_WINDOW_MS, type Store } from './store/store.js';
import { JsonStore } from './store/json/index.js';
import { SqliteStore } from './store/sqlite/index.js';
import { PostgresStore } from './store/postgres/index.js';

export { createLogger, REDACT_PATHS } from './logging.js';

/** Opens (creating or migrating as needed) the store that BATCHKEYS_STORE names. */
export async function openStore(config: Config, options: { serving?: boolean; logger?: Logger } = {}): Promise<Store> {
  if (config.store === 'sqlite') {
    return new SqliteStore(config.storeFile ?? join(config.dataDir, 'batchkeys.db'), {
      backgroundCheckpoints: options.serving ?? false,
      onError: (message) => options.logger?.error({ message }, 'SQLite background write failed'),
    });
  }
  if (config.store === 'postgres') {
    // loadConfig has already refused postgres without BATCHKEYS_DATABASE_URL.
    return PostgresStore.open(config.databaseUrl ?? '', {
      onError: (message) => options.logger?.error({ message }, 'PostgreSQL connection error'),
    });
  }
  // `store migrate` and `restore` name a file of their own (see openStoreUrl).
  return JsonStore.open(config.storeFile ?? join(config.dataDir, 'batchkeys.json'));
}

/** Opens the store and the secrets (creating both on first start) and wires the services. */
export async function openCore(config: Config, options: { logger?: Logger; now?: () => number; serving?: boolean } = {}): Promise<Core> {
  // The data dir holds the secrets and, for SQLite and JSON, personal data: owner only.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const { secrets } = loadSecrets(config.secretsFile);
  const logger = options.logger ?? createLogger({ level: config.logLevel, collectorUrl: config.logCollectorUrl });
  const store = await openStore(config, { serving: options.serving ?? false, logger });
  const now = options.now ?? Date.now;
  return {
    config, store, now, logger,
    vault: new KeyVault(secrets.keyDigestSecret, secrets.keyEncryptionKey),
    signer: new Signer(secrets.signingSeed),
    devHosts: compileHostPatterns(config.devHosts),
    lastSeen: new LastSeenBuffer(store, now),
    requestLog: new RequestLog(store, logger, config.privacy.requestLog),
    auditor: new Auditor(store, now),
  };
}

/**
 * On a store without accounts, creates the operator account; on one without an admin token,
 * creates one (BATCHKEYS_BOOTSTRAP_TOKEN, or a random one). Returns a generated token so that
 * it can be shown once; a token given by the operator is never returned or printed.
 */
export async function bootstrap(core: Core): Promise<{ generatedToken: string | null }> {
  // Servers sharing one database may start together: only one of them may bootstrap it.
  return core.store.serialized(() => bootstrapNow(core));
}

async function bootstrapNow(core: Core): Promise<{ generatedToken: string | null }> {
  const accounts = await core.store.listAccounts();
  const operator = accounts.find((a) => a.operator) ?? (await createAccount(core, 'Default', true));
  const tokens = await core.store.listTokens(operator.id);
  if (tokens.some((t) => t.revokedAt === null && t.scopes.includes('admin'))) return { generatedToken: null };
  const given = core.config.bootstrapToken;
  const { token } = await createToken(core, operator.id, given ? 'bootstrap' : 'initial admin', ['admin'], ...(given ? [given] : []));
  return { generatedToken: given ? null : token };
}

export async function createHttpServer(core: Core): Promise<Server> {
  const clientIp = clientIpResolver(core.config.trustProxy);
  const signatures = core.signer.offThread((message) => core.logger.error({ message }, 'response signing moved to the event loop'));
  const licenseApi = await createLicenseApi(core, clientIp, signatures);
  const signingKey = signingKeyBody(core);
  const signingKeyHeaders = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': signingKey.length,
    'cache-control': 'public, max-age=300',
    'batchkeys-signature': `ed25519=${core.signer.sign(signingKey)}`,
    ...CORS_HEADERS,
  };

  // The policy follows the configuration, which is read once at start: render each format once.
  const facts = policyFacts(core.config);
  const policies = { md: renderPolicy(facts, 'md'), html: renderPolicy(facts, 'html'), json: renderPolicy(facts, 'json') };
  const routes = [...adminRoutes(core), ...privacyRoutes(core)];
  const openapi = JSON.stringify(openApiDocument(routes));
  const docs = docsPage(JSON.parse(openapi) as Record<string, unknown>);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('etag', false);
  app.use(express.json({ limit: ADMIN_BODY_LIMIT, type: () => true }));
  app.get('/openapi.json', (_req, res) => void res.type('application/json').send(openapi));
  app.get('/docs', (_req, res) => void res.type('text/html').send(docs));
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.use(createAdminRouter(core, routes, clientIp));
  app.use((req, res) => sendProblem(res, new AppError('NOT_FOUND', `There is nothing at ${req.method} ${req.path}.`)));
  app.use(problemMiddleware(core));

  // Decided once: with debug off, requests pay nothing for the access line.
  const accessLog = core.logger.isLevelEnabled('debug');
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (accessLog) logAccess(core.logger, req, res, path);
    // The license API and the signing key bypass Express: their hot path pays for no middleware.
    if (path.startsWith('/v1/licenses')) return void licenseApi(req, res, path);
    if (path === '/v1/privacy/policy' && (req.method === 'GET' || req.method === 'HEAD')) {
      const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
      const { contentType, body } = policies[negotiatePolicyFormat(req.headers.accept, params.get('format') ?? undefined)];
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), vary: 'Accept', 'cache-control': 'public, max-age=300', ...CORS_HEADERS });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (path === '/v1/signing-key' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, signingKeyHeaders);
      return void res.end(req.method === 'HEAD' ? undefined : signingKey);
    }
    app(req, res);
  });
  server.once('close', () => void signatures.close());
  return server;
}

export interface RunningServer {
  core: Core;
  server: Server;
  url: string;
  generatedToken: string | null;
  close(): Promise<void>;
}

/** Starts BatchKeys: store, bootstrap, HTTP server and the housekeeping timer. */
export async function startServer(config: Config, options: { logger?: Logger; now?: () => number } = {}): Promise<RunningServer> {
  const core = await openCore(config, { ...options, serving: true });
  const { generatedToken } = await bootstrap(core);
  const server = await createHttpServer(core);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const housekeeping = setInterval(() => {
    core.store.purgeIdempotency(core.now() - IDEMPOTENCY_WINDOW_MS).catch((err: unknown) => core.logger.error({ err }, 'purge failed'));
  }, 60 * 60 * 1000);
  housekeeping.unref();
  const stopPurge = schedulePurge(core);
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | null = null;
  return {
    core, server, generatedToken, url: `http://${host}:${addr.port}`,
    close() {
      closing ??= (async () => {
        clearInterval(housekeeping);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await stopPurge();
        await core.lastSeen.flush();
        await core.requestLog.flush();
        await core.store.close();
        // Ship what is still queued for the log collector; a logger passed in belongs to the caller.
        if (!options.logger) await closeLogger(core.logger);
      })();
      return closing;
    },
  };
}
