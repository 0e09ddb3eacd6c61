import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Core } from '../core.js';
import { AppError, toProblem } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { Account, ApiToken, License, Policy, Product } from '../domain/types.js';
import {
  changeLicense, createAccount, createLicense, createPolicy, createProduct, createToken, hashToken, hasScope,
  licenseActions, requireLicense, requireProduct,
} from '../services/admin.js';
import { parseLicenseCursor, StoreConflict, type LicenseSort, type SortOrder } from '../store/store.js';
import {
  AccountCreate, AccountView, AddTokensBody, AdminActivationView, AdminLicenseView, EmptyBody, LicenseCreate,
  LicensePatch, LicenseQuery, PolicyCreate, PolicyPatch, PolicyView, ProductCreate, ProductPatch, ProductView,
  RenewBody, TokenCreate, TokenView,
} from './admin-schemas.js';
import type { ClientIp } from './client-ip.js';
import { route, type AdminRoute, type Caller } from './routes.js';
import { parseOrThrow } from './validation.js';
import { isoOrNull } from '../domain/time.js';
import { licenseView } from './views.js';

export const ADMIN_BODY_LIMIT = 256 * 1024;
const iso = (ms: number) => new Date(ms).toISOString();

export function adminLicenseView(l: License, now: number) {
  return {
    ...licenseView(l, now), productId: l.productId, policy: l.policyId, email: l.email, name: l.name,
    metadata: l.metadata, createdAt: iso(l.createdAt), updatedAt: iso(l.updatedAt),
  };
}
const productView = (p: Product) => ({
  id: p.id, name: p.name, slug: p.slug, keyPrefix: p.keyPrefix, metadata: p.metadata, createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt),
});
const policyView = (p: Policy) => ({
  id: p.id, product: p.productId, name: p.name, durationDays: p.durationDays, lock: p.lock, maxActivations: p.maxActivations,
  tokens: p.tokens, createdAt: iso(p.createdAt), updatedAt: iso(p.updatedAt),
});
const tokenView = (t: ApiToken) => ({
  id: t.id, name: t.name, scopes: t.scopes, createdAt: iso(t.createdAt), lastUsedAt: isoOrNull(t.lastUsedAt), revokedAt: isoOrNull(t.revokedAt),
});
const accountView = (a: Account) => ({
  id: a.id, name: a.name, status: a.status, operator: a.operator, apiSuspendedAt: isoOrNull(a.apiSuspendedAt),
  createdAt: iso(a.createdAt), updatedAt: iso(a.updatedAt),
});

const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
const notFound = (what: string, id: string) => new AppError('NOT_FOUND', `There is no ${what} "${id}".`);

/** Every admin route. The OpenAPI document is generated from this list. */
export function adminRoutes(core: Core): AdminRoute[] {
  const { store } = core;
  const acc = (c: Caller) => c.account.id;
  const licenseAction = (path: string, summary: string, body: z.ZodType, make: (b: never) => Parameters<typeof changeLicense>[3]) =>
    route({
      method: 'post', path: `/v1/admin/licenses/:id/actions/${path}`, summary, tag: 'Licenses', scope: 'write', body, status: 200,
      response: z.object({ license: AdminLicenseView }),
      handler: async ({ caller, params, body: b }) => ({
        license: adminLicenseView(await changeLicense(core, acc(caller), params.id!, make(b as never)), core.now()),
      }),
    });

  return [
    // Products
    route({
      method: 'post', path: '/v1/admin/products', summary: 'Create a product', tag: 'Products', scope: 'write',
      body: ProductCreate, status: 201, response: z.object({ product: ProductView }),
      handler: async ({ caller, body }) => ({ product: productView(await createProduct(core, acc(caller), body)) }),
    }),
    route({
      method: 'get', path: '/v1/admin/products', summary: 'List products', tag: 'Products', scope: 'read', status: 200,
      response: list(ProductView),
      handler: async ({ caller }) => ({ items: (await store.listProducts(acc(caller))).map(productView) }),
    }),
    route({
      method: 'get', path: '/v1/admin/products/:id', summary: 'Show a product (by id or slug)', tag: 'Products', scope: 'read',
      status: 200, response: z.object({ product: ProductView }),
      handler: async ({ caller, params }) => {
        const p = await store.getProduct(acc(caller), params.id!);
        if (!p) throw notFound('product', params.id!);
        return { product: productView(p) };
      },
    }),
    route({
      method: 'patch', path: '/v1/admin/products/:id', summary: 'Update a product', tag: 'Products', scope: 'write',
      body: ProductPatch, status: 200, response: z.object({ product: ProductView }),
      handler: async ({ caller, params, body }) => {
        try {
          const p = await store.updateProduct(acc(caller), params.id!, body, core.now());
          if (!p) throw notFound('product', params.id!);
          return { product: productView(p) };
        } catch (err) {
          if (err instanceof StoreConflict) throw new AppError('CONFLICT', `A product with the slug "${body.slug}" already exists.`);
          throw err;
        }
      },
    }),
    route({
      method: 'delete', path: '/v1/admin/products/:id', summary: 'Delete a product without licenses', tag: 'Products',
      scope: 'write', status: 204,
      handler: async ({ caller, params }) => {
        const r = await store.deleteProduct(acc(caller), params.id!);
        if (r === 'not_found') throw notFound('product', params.id!);
        if (r === 'in_use') throw new AppError('CONFLICT', 'This product still has licenses: delete or move them first.');
        return undefined;
      },
    }),
    // Policies
    route({
      method: 'post', path: '/v1/admin/policies', summary: 'Create a policy (defaults for new licenses)', tag: 'Policies',
      scope: 'write', body: PolicyCreate, status: 201, response: z.object({ policy: PolicyView }),
      handler: async ({ caller, body }) => ({ policy: policyView(await createPolicy(core, acc(caller), body)) }),
    }),
    route({
      method: 'get', path: '/v1/admin/policies', summary: 'List policies', tag: 'Policies', scope: 'read', status: 200,
      query: z.object({ product: z.string().max(128).optional() }), response: list(PolicyView),
      handler: async ({ caller, query }) => {
        const productId = query.product ? (await requireProduct(core, acc(caller), query.product)).id : undefined;
        return { items: (await store.listPolicies(acc(caller), productId)).map(policyView) };
      },
    }),
    route({
      method: 'get', path: '/v1/admin/policies/:id', summary: 'Show a policy', tag: 'Policies', scope: 'read', status: 200,
      response: z.object({ policy: PolicyView }),
      handler: async ({ caller, params }) => {
        const p = await store.getPolicy(acc(caller), params.id!);
        if (!p) throw notFound('policy', params.id!);
        return { policy: policyView(p) };
      },
    }),
    route({
      method: 'patch', path: '/v1/admin/policies/:id', summary: 'Update a policy (existing licenses keep their values)',
      tag: 'Policies', scope: 'write', body: PolicyPatch, status: 200, response: z.object({ policy: PolicyView }),
      handler: async ({ caller, params, body }) => {
        const p = await store.updatePolicy(acc(caller), params.id!, body, core.now());
        if (!p) throw notFound('policy', params.id!);
        return { policy: policyView(p) };
      },
    }),
    route({
      method: 'delete', path: '/v1/admin/policies/:id', summary: 'Delete a policy', tag: 'Policies', scope: 'write', status: 204,
      handler: async ({ caller, params }) => {
        if (!(await store.deletePolicy(acc(caller), params.id!))) throw notFound('policy', params.id!);
        return undefined;
      },
    }),
    // Licenses
    route({
      method: 'post', path: '/v1/admin/licenses', summary: 'Create (or import) a license; the key is shown once',
      tag: 'Licenses', scope: 'write', body: LicenseCreate, status: 201,
      response: z.object({ key: z.string(), license: AdminLicenseView }),
      handler: async ({ caller, body }) => {
        const { key, license } = await createLicense(core, acc(caller), body);
        return { key, license: adminLicenseView(license, core.now()) };
      },
    }),
    route({
      method: 'get', path: '/v1/admin/licenses', summary: 'List licenses, newest first or sorted by expiry, with filters and a cursor',
      tag: 'Licenses', scope: 'read', query: LicenseQuery, status: 200,
      response: z.object({ items: z.array(AdminLicenseView), nextCursor: z.string().nullable() }),
      handler: async ({ caller, query }) => {
        let productId: string | undefined;
        if (query.product) {
          const p = await store.getProduct(acc(caller), query.product);
          if (!p) return { items: [], nextCursor: null };
          productId = p.id;
        }
        const now = core.now();
        const page = await store.listLicenses(acc(caller), {
          status: query.status, productId, email: query.email, q: query.q,
          qDigest: query.q ? core.vault.digest(query.q) : undefined, limit: query.limit, sort: query.sort, order: query.order,
          cursor: query.cursor ? decodeCursor(query.cursor, query.sort, query.order) : undefined, now,
        });
        return {
          items: page.items.map((l) => adminLicenseView(l, now)),
          nextCursor: page.nextCursor ? Buffer.from(page.nextCursor).toString('base64url') : null,
        };
      },
    }),
    route({
      method: 'get', path: '/v1/admin/licenses/:id', summary: 'Show a license', tag: 'Licenses', scope: 'read', status: 200,
      response: z.object({ license: AdminLicenseView }),
      handler: async ({ caller, params }) => ({ license: adminLicenseView(await requireLicense(core, acc(caller), params.id!), core.now()) }),
    }),
    route({
      method: 'patch', path: '/v1/admin/licenses/:id', summary: 'Update a license', tag: 'Licenses', scope: 'write',
      body: LicensePatch, status: 200, response: z.object({ license: AdminLicenseView }),
      handler: async ({ caller, params, body }) => {
        const l = await changeLicense(core, acc(caller), params.id!, (cur, now) => ({
          license: {
            ...cur,
            lock: body.lock ?? cur.lock,
            maxActivations: body.maxActivations !== undefined ? body.maxActivations : cur.maxActivations,
            expiresAt: body.expiresAt !== undefined ? (body.expiresAt === null ? null : Date.parse(body.expiresAt)) : cur.expiresAt,
            email: body.email !== undefined ? body.email : cur.email,
            name: body.name !== undefined ? body.name : cur.name,
            metadata: body.metadata ?? cur.metadata,
            updatedAt: now,
          },
        }));
        return { license: adminLicenseView(l, core.now()) };
      },
    }),
    route({
      method: 'delete', path: '/v1/admin/licenses/:id', summary: 'Delete a license with its activations and ledger',
      tag: 'Licenses', scope: 'write', status: 204,
      handler: async ({ caller, params }) => {
        if (!(await store.deleteLicense(acc(caller), params.id!))) throw notFound('license', params.id!);
        return undefined;
      },
    }),
    licenseAction('suspend', 'Suspend a license (reversible)', EmptyBody, () => licenseActions.suspend),
    licenseAction('reinstate', 'Reinstate a suspended license', EmptyBody, () => licenseActions.reinstate),
    licenseAction('revoke', 'Revoke a license (final)', EmptyBody, () => licenseActions.revoke),
    licenseAction('renew', 'Renew: extend the expiry by days (default: the term) or to a date', RenewBody,
      (b: z.output<typeof RenewBody>) => licenseActions.renew(b)),
    licenseAction('add-tokens', 'Add tokens to the balance', AddTokensBody,
      (b: z.output<typeof AddTokensBody>) => licenseActions.addTokens(b.amount, newId('led', core.now()))),
    route({
      method: 'post', path: '/v1/admin/licenses/:id/actions/reset-activations', summary: 'Deactivate every activation',
      tag: 'Licenses', scope: 'write', body: EmptyBody, status: 200, response: z.object({ license: AdminLicenseView }),
      handler: async ({ caller, params }) => {
        const l = await store.resetActivations(acc(caller), params.id!, core.now());
        if (!l) throw notFound('license', params.id!);
        return { license: adminLicenseView(l, core.now()) };
      },
    }),
    route({
      method: 'get', path: '/v1/admin/licenses/:id/key', summary: 'Reveal the key in plain text', tag: 'Licenses',
      scope: 'admin', status: 200, response: z.object({ key: z.string() }),
      handler: async ({ caller, params }) => {
        const l = await requireLicense(core, acc(caller), params.id!);
        return { key: core.vault.decrypt(l.keyEncrypted) };
      },
    }),
    route({
      method: 'get', path: '/v1/admin/licenses/:id/activations', summary: 'List activations (?all=true includes deactivated ones)',
      tag: 'Activations', scope: 'read', status: 200, query: z.object({ all: z.enum(['true', 'false']).optional() }),
      response: list(AdminActivationView),
      handler: async ({ caller, params, query }) => {
        const items = await store.listActivations(acc(caller), params.id!, query.all === 'true');
        if (!items) throw notFound('license', params.id!);
        return {
          items: items.map((a) => ({
            id: a.id, domain: a.domain, device: a.device, label: a.label, development: a.development,
            createdAt: iso(a.createdAt), lastSeenAt: iso(a.lastSeenAt), deactivatedAt: isoOrNull(a.deactivatedAt),
          })),
        };
      },
    }),
    route({
      method: 'delete', path: '/v1/admin/activations/:id', summary: 'Deactivate one activation', tag: 'Activations',
      scope: 'write', status: 204,
      handler: async ({ caller, params }) => {
        if (!(await store.deactivateById(acc(caller), params.id!, core.now()))) throw notFound('activation', params.id!);
        return undefined;
      },
    }),
    // Tokens
    route({
      method: 'post', path: '/v1/admin/tokens', summary: 'Create an API token; the secret is shown once', tag: 'Tokens',
      scope: 'admin', body: TokenCreate, status: 201, response: z.object({ token: z.string(), record: TokenView }),
      handler: async ({ caller, body }) => {
        const { token, record } = await createToken(core, acc(caller), body.name, body.scopes);
        return { token, record: tokenView(record) };
      },
    }),
    route({
      method: 'get', path: '/v1/admin/tokens', summary: 'List API tokens', tag: 'Tokens', scope: 'admin', status: 200,
      response: list(TokenView),
      handler: async ({ caller }) => ({ items: (await store.listTokens(acc(caller))).map(tokenView) }),
    }),
    route({
      method: 'delete', path: '/v1/admin/tokens/:id', summary: 'Revoke an API token', tag: 'Tokens', scope: 'admin', status: 204,
      handler: async ({ caller, params }) => {
        if (!(await store.revokeToken(acc(caller), params.id!, core.now()))) throw notFound('token', params.id!);
        return undefined;
      },
    }),
    // Accounts
    route({
      method: 'get', path: '/v1/admin/account', summary: "The calling token's account", tag: 'Accounts', scope: 'read',
      status: 200, response: z.object({ account: AccountView }),
      handler: async ({ caller }) => ({ account: accountView(caller.account) }),
    }),
    route({
      method: 'get', path: '/v1/admin/accounts', summary: 'List accounts (operator)', tag: 'Accounts', scope: 'admin',
      operator: true, status: 200, response: list(AccountView),
      handler: async () => ({ items: (await store.listAccounts()).map(accountView) }),
    }),
    route({
      method: 'post', path: '/v1/admin/accounts', summary: 'Create an account with a first admin token (operator)',
      tag: 'Accounts', scope: 'admin', operator: true, body: AccountCreate, status: 201,
      response: z.object({ account: AccountView, token: z.string() }),
      handler: async ({ body }) => {
        const account = await createAccount(core, body.name);
        const { token } = await createToken(core, account.id, 'initial admin', ['admin']);
        return { account: accountView(account), token };
      },
    }),
    ...(['suspend', 'reinstate'] as const).map((action) => route({
      method: 'post', path: `/v1/admin/accounts/:id/actions/${action}`,
      summary: action === 'suspend' ? 'Suspend an account: all its keys validate as SUSPENDED (operator)' : 'Reinstate an account (operator)',
      tag: 'Accounts', scope: 'admin', operator: true, body: EmptyBody, status: 200, response: z.object({ account: AccountView }),
      handler: async ({ params }) => {
        const a = await store.setAccountStatus(params.id!, action === 'suspend' ? 'suspended' : 'active', core.now());
        if (!a) throw notFound('account', params.id!);
        return { account: accountView(a) };
      },
    })),
  ];
}

/** A list cursor is the store's, in base64url; it must be one of the sort and order asked for. */
function decodeCursor(cursor: string, sort: LicenseSort, order: SortOrder): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!parseLicenseCursor(sort, order, raw)) {
    throw new AppError('VALIDATION_ERROR', 'The cursor is not one this server issued for this sort and order.', [
      { path: 'cursor', message: 'invalid cursor, or one of another sort or order' },
    ]);
  }
  return raw;
}

/** Establishes the caller from `Authorization: Bearer <token>`. */
async function authenticate(core: Core, req: Request): Promise<Caller> {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new AppError('UNAUTHORIZED', 'Send an admin token as "Authorization: Bearer <token>".');
  const token = await core.store.findTokenByHash(hashToken(m[1]!));
  if (!token || token.revokedAt !== null) throw new AppError('UNAUTHORIZED', 'This token is unknown or revoked.');
  const account = await core.store.getAccount(token.accountId);
  if (!account) throw new AppError('UNAUTHORIZED', 'This token is unknown or revoked.');
  if (account.apiSuspendedAt !== null) {
    throw new AppError('API_SUSPENDED', `API access for this account is shut down since ${new Date(account.apiSuspendedAt).toISOString()}; the operator can reinstate it.`);
  }
  const now = core.now();
  // Last use is kept to the minute: no write on every admin request.
  if (token.lastUsedAt === null || now - token.lastUsedAt > 60_000) await core.store.touchToken(token.id, now);
  return { token, account };
}

/** The record a route created or acted on, by id: what its audit entry names. */
function targetOf(params: Record<string, string>, result: unknown): string | null {
  if (params.id) return params.id;
  if (result && typeof result === 'object') {
    for (const v of Object.values(result as Record<string, unknown>)) {
      const id = v && typeof v === 'object' ? (v as { id?: unknown }).id : undefined;
      if (typeof id === 'string') return id;
    }
  }
  return null;
}

/**
 * Mounts the routes. Every authenticated request is audited, reads included (a breach report
 * must tell what was read): the route, the acting token, its IP and the target's id, and
 * whether it was carried out; never bodies or query strings, which may hold personal data.
 */
export function createAdminRouter(core: Core, routes: AdminRoute[], clientIp: ClientIp): express.Router {
  const router = express.Router();
  for (const r of routes) {
    const action = `${r.method.toUpperCase()} ${r.path}`;
    router[r.method](r.path, async (req: Request, res: Response) => {
      const caller = await authenticate(core, req);
      const params = req.params as Record<string, string>;
      const audit = (detail: Record<string, unknown>, result?: unknown) => core.auditor.record({
        accountId: caller.account.id, actor: caller.token.id, action, target: targetOf(params, result), ip: clientIp(req), detail,
      });
      let result: unknown;
      try {
        if (!hasScope(caller.token.scopes, r.scope)) {
          throw new AppError('FORBIDDEN', `This token lacks the "${r.scope}" scope needed here.`);
        }
        if (r.operator && !caller.account.operator) {
          throw new AppError('FORBIDDEN', 'Only tokens of the operator account may manage accounts.');
        }
        const body = r.body ? parseOrThrow(r.body, req.body ?? {}) : undefined;
        const query = r.query ? parseOrThrow(r.query, req.query, 'query string') : {};
        result = await r.handler({ body, query, params, caller, req, res });
      } catch (err) {
        await audit({ outcome: 'refused', code: err instanceof AppError ? err.code : 'INTERNAL_ERROR' });
        throw err;
      }
      await audit({ outcome: 'done', status: r.status }, result);
      if (res.headersSent) return;
      if (r.status === 204) res.status(204).end();
      else res.status(r.status).json(result);
    });
  }
  return router;
}

export function sendProblem(res: Response, err: AppError): void {
  res.status(err.status).type('application/problem+json').send(JSON.stringify(toProblem(err)));
}

/** The admin side's one error middleware: body-parser failures and AppErrors become problems. */
export function problemMiddleware(core: Core) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const e = err as { type?: string; status?: number };
    if (err instanceof AppError || (typeof e.status === 'number' && e.status < 500)) core.logger.debug({ err }, 'admin request refused');
    if (err instanceof AppError) return sendProblem(res, err);
    if (e.type === 'entity.too.large') return sendProblem(res, new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${ADMIN_BODY_LIMIT / 1024} KiB.`));
    if (e.type === 'entity.parse.failed') return sendProblem(res, new AppError('VALIDATION_ERROR', 'The request body is not valid JSON.'));
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendProblem(res, new AppError('VALIDATION_ERROR', 'The request could not be read.'));
    }
    core.logger.error({ err }, 'admin request failed');
    sendProblem(res, new AppError('INTERNAL_ERROR', 'The server could not answer this request.'));
  };
}
