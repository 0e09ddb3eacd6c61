import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, ConfigError } from '../config.js';
import type { Core } from '../core.js';
import { AppError } from '../domain/errors.js';
import type { Account, License, Scope } from '../domain/types.js';
import { bootstrap, openCore, startServer } from '../app.js';
import { closeLogger } from '../logging.js';
import {
  changeLicense, createLicense, createProduct, createToken, licenseActions, requireLicense,
} from '../services/admin.js';
import { isoOrNull as iso } from '../domain/time.js';
import { effectiveStatus } from '../domain/validation.js';
import { registerPrivacyCommands } from './privacy-commands.js';
import { registerStoreCommands } from './store-commands.js';
import { exportFile, importFile } from './transfer.js';

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number.`);
  return Number(v);
};

/** Opens the store for a one-shot command, runs it, and always closes the store. */
async function withCore<T>(fn: (core: Core, account: Account) => Promise<T>, accountId?: string): Promise<T> {
  const core = await openCore(loadConfig(), {});
  try {
    await bootstrapQuietly(core);
    const accounts = await core.store.listAccounts();
    const account = accountId ? accounts.find((a) => a.id === accountId) : accounts.find((a) => a.operator);
    if (!account) throw new Error(accountId ? `there is no account "${accountId}"` : 'the store has no operator account; run `batchkeys init`');
    return await fn(core, account);
  } finally {
    await core.store.close();
    await closeLogger(core.logger);
  }
}

let bootstrapToken: string | null = null;
async function bootstrapQuietly(core: Core): Promise<void> {
  const { generatedToken } = await bootstrap(core);
  if (generatedToken) bootstrapToken = generatedToken;
}

function printToken(token: string): void {
  console.log(`Admin API token (shown once, keep it safe):\n\n  ${token}\n`);
}

function licenseLine(l: License, now: number): string {
  const exp = l.expiresAt === null ? 'never' : new Date(l.expiresAt).toISOString();
  const tokens = l.tokensRemaining === null ? '-' : `${l.tokensRemaining}/${l.tokensTotal}`;
  return [l.id, l.productSlug, effectiveStatus(l, now), l.lock, `${l.activationCount}/${l.maxActivations ?? '∞'}`, tokens, exp, l.email ?? '']
    .join('\t');
}

export function buildProgram(): Command {
  const program = new Command('batchkeys')
    .description('BatchKeys: self-hosted software licensing. Settings come from BATCHKEYS_* environment variables.')
    .option('--account <id>', 'act on this account instead of the operator account')
    .showHelpAfterError();
  const account = () => program.opts<{ account?: string }>().account;

  program.command('serve').description('start the HTTP server').action(async () => {
    const running = await startServer(loadConfig());
    if (running.generatedToken) printToken(running.generatedToken);
    console.log(`BatchKeys is serving on ${running.url} (store: ${running.core.store.kind}, data: ${running.core.config.dataDir})`);
    console.log(`API reference: ${running.url}/docs`);
    const stop = () => {
      running.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  program.command('init').description('create the store, the secrets, the operator account and a first admin token').action(async () => {
    await withCore(async (core) => {
      if (bootstrapToken) printToken(bootstrapToken);
      else console.log(`The store at ${core.config.dataDir} is already initialised.`);
    });
  });

  const token = program.command('token').description('manage admin API tokens');
  token.command('create').description('create a token (the secret is shown once)')
    .requiredOption('--name <name>', 'what the token is for')
    .addOption(new Option('--scope <scope...>', 'scopes').choices(['read', 'write', 'admin']).default(['read']))
    .action(async (o: { name: string; scope: Scope[] }) => withCore(async (core, acc) => {
      const { token: secret, record } = await createToken(core, acc.id, o.name, o.scope);
      console.log(`${record.id}\t${record.scopes.join(',')}`);
      printToken(secret);
    }, account()));
  token.command('list').description('list tokens').action(async () => withCore(async (core, acc) => {
    for (const t of await core.store.listTokens(acc.id)) {
      console.log([t.id, t.name, t.scopes.join(','), t.revokedAt ? 'revoked' : 'active'].join('\t'));
    }
  }, account()));
  token.command('revoke <id>').description('revoke a token').action(async (id: string) => withCore(async (core, acc) => {
    if (!(await core.store.revokeToken(acc.id, id, core.now()))) throw new Error(`there is no token "${id}"`);
    console.log(`revoked ${id}`);
  }, account()));

  const product = program.command('product').description('manage products');
  product.command('create').description('create a product')
    .requiredOption('--name <name>', 'display name').requiredOption('--slug <slug>', 'short unique name, e.g. my-plugin')
    .option('--prefix <prefix>', 'prefix for generated keys')
    .action(async (o: { name: string; slug: string; prefix?: string }) => withCore(async (core, acc) => {
      const p = await createProduct(core, acc.id, { name: o.name, slug: o.slug, keyPrefix: o.prefix });
      console.log(`${p.id}\t${p.slug}\t${p.name}`);
    }, account()));
  product.command('list').description('list products').action(async () => withCore(async (core, acc) => {
    for (const p of await core.store.listProducts(acc.id)) console.log(`${p.id}\t${p.slug}\t${p.name}`);
  }, account()));

  const license = program.command('license').description('manage licenses');
  license.command('create').description('create a license and print its key')
    .requiredOption('--product <product>', 'product id or slug')
    .option('--policy <id>', 'policy whose defaults apply')
    .addOption(new Option('--lock <lock>', 'lock type').choices(['none', 'domain', 'device']))
    .option('--max-activations <n>', 'seats', int('--max-activations'))
    .option('--tokens <n>', 'token budget', int('--tokens'))
    .option('--expires-at <iso>', 'expiry, ISO 8601')
    .option('--email <email>', 'licensee email').option('--name <name>', 'licensee name')
    .option('--key <key>', 'import this key instead of generating one')
    .action(async (o: Record<string, string | number | undefined>) => withCore(async (core, acc) => {
      if (o.expiresAt !== undefined && Number.isNaN(Date.parse(String(o.expiresAt)))) throw new Error('--expires-at must be an ISO 8601 date');
      const { key, license: l } = await createLicense(core, acc.id, {
        product: String(o.product), policy: o.policy as string | undefined, lock: o.lock as License['lock'] | undefined,
        maxActivations: o.maxActivations as number | undefined, tokens: o.tokens as number | undefined,
        expiresAt: o.expiresAt === undefined ? undefined : new Date(String(o.expiresAt)).toISOString(),
        email: o.email as string | undefined, name: o.name as string | undefined, key: o.key as string | undefined,
      });
      console.log(`${l.id}\t${key}`);
    }, account()));
  license.command('list').description('list licenses, newest first')
    .option('--product <product>', 'product id or slug').option('--status <status>', 'active, suspended, revoked or expired')
    .option('--email <email>', 'licensee email').option('--limit <n>', 'how many', int('--limit'), 50)
    .action(async (o: { product?: string; status?: string; email?: string; limit: number }) => withCore(async (core, acc) => {
      const now = core.now();
      const productId = o.product ? (await core.store.getProduct(acc.id, o.product))?.id ?? '-' : undefined;
      const page = await core.store.listLicenses(acc.id, {
        productId, status: o.status as License['status'] | undefined, email: o.email, limit: o.limit, now,
      });
      console.log(['id', 'product', 'status', 'lock', 'seats', 'tokens', 'expires', 'email'].join('\t'));
      for (const l of page.items) console.log(licenseLine(l, now));
    }, account()));
  license.command('show <id>').description('show a license as JSON (without its key)').action(async (id: string) => withCore(async (core, acc) => {
    const l = await requireLicense(core, acc.id, id);
    const { keyDigest: _d, keyEncrypted: _e, ...rest } = l;
    console.log(JSON.stringify({
      ...rest, status: effectiveStatus(l, core.now()), expiresAt: iso(l.expiresAt), createdAt: iso(l.createdAt), updatedAt: iso(l.updatedAt),
    }, null, 2));
  }, account()));
  for (const action of ['suspend', 'reinstate', 'revoke'] as const) {
    license.command(`${action} <id>`).description(`${action} a license`).action(async (id: string) => withCore(async (core, acc) => {
      const l = await changeLicense(core, acc.id, id, licenseActions[action]);
      console.log(licenseLine(l, core.now()));
    }, account()));
  }

  program.command('import <file>').description('import licenses from CSV or JSON, all or nothing')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'json']))
    .option('--product <product>', 'product for rows without a product column')
    .action(async (file: string, o: { format?: string; product?: string }) => withCore(async (core, acc) => {
      const started = Date.now();
      const n = await importFile(core, acc.id, file, { format: o.format, product: o.product, progress: true });
      console.log(`imported ${n} licenses in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }, account()));
  program.command('export <file>').description('export licenses, keys included, to CSV or JSON (mode 0600)')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'json']))
    .action(async (file: string, o: { format?: string }) => withCore(async (core, acc) => {
      const n = await exportFile(core, acc.id, file, o.format);
      console.log(`exported ${n} licenses to ${file}`);
    }, account()));

  registerStoreCommands(program);
  registerPrivacyCommands(program, account);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // A bad setting exits 2, any other refusal 1; both print one readable line, no stack trace.
    if (err instanceof ConfigError) {
      console.error(`batchkeys: ${err.message}`);
      process.exit(2);
    }
    if (err instanceof AppError) {
      console.error(`batchkeys: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
