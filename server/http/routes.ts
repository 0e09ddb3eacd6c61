import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Account, ApiToken, Scope } from '../domain/types.js';

/** Who is calling the admin API, established by the bearer token. */
export interface Caller {
  token: ApiToken;
  account: Account;
}

export interface RouteContext<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  caller: Caller;
  req: Request;
  res: Response;
}

/**
 * One admin route: its schemas validate the request, type the handler and document the route
 * in the OpenAPI document, so code and documentation cannot drift apart.
 */
export interface AdminRoute<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  scope: Scope;
  /** Only tokens of the operator account may call it. */
  operator?: boolean;
  body?: B;
  query?: Q;
  status: number;
  response?: z.ZodType;
  handler: (ctx: RouteContext<z.output<B>, z.output<Q>>) => Promise<unknown>;
}

export function route<B extends z.ZodType, Q extends z.ZodType>(r: AdminRoute<B, Q>): AdminRoute {
  return r as unknown as AdminRoute;
}
