import { z } from 'zod';
import { errorStatus } from '../domain/errors.js';
import type { AdminRoute } from './routes.js';
import {
  ActivateRequest, ActivateResponse, ConsumeRequest, ConsumeResponse, DeactivateRequest, DeactivateResponse,
  ProblemView, SigningKeyResponse, ValidateRequest, ValidateResponse,
} from './schemas.js';

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodType, io: 'input' | 'output'): Json =>
  z.toJSONSchema(s, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json;

const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const signatureHeader = {
  'BatchKeys-Signature': {
    description: 'ed25519=<base64 Ed25519 signature of the exact response body bytes>, verifiable with GET /v1/signing-key',
    schema: { type: 'string' },
  },
};

interface PublicRoute {
  path: string;
  summary: string;
  description: string;
  request: z.ZodType;
  responses: Record<number, z.ZodType | string>;
}

const publicRoutes: PublicRoute[] = [
  {
    path: '/v1/licenses/validate', summary: 'Validate a key',
    description: 'A validation outcome is never an HTTP error. Checks run in order: NOT_FOUND, REVOKED, SUSPENDED, EXPIRED, ' +
      'PRODUCT_MISMATCH, DOMAIN_REQUIRED, DEVICE_REQUIRED, NOT_ACTIVATED, TOKENS_EXHAUSTED, VALID.',
    request: ValidateRequest, responses: { 200: ValidateResponse, 400: 'VALIDATION_ERROR', 413: 'PAYLOAD_TOO_LARGE', 429: 'RATE_LIMITED' },
  },
  {
    path: '/v1/licenses/activate', summary: 'Activate a key on a domain or device',
    description: 'Idempotent per domain or device (200 when already active). Development hosts do not use a seat.',
    request: ActivateRequest,
    responses: {
      201: ActivateResponse, 200: ActivateResponse, 400: 'VALIDATION_ERROR', 404: 'NOT_FOUND',
      409: 'ACTIVATION_LIMIT_REACHED', 413: 'PAYLOAD_TOO_LARGE',
      422: 'REVOKED, SUSPENDED, EXPIRED, PRODUCT_MISMATCH, DOMAIN_REQUIRED, DEVICE_REQUIRED', 429: 'RATE_LIMITED',
    },
  },
  {
    path: '/v1/licenses/deactivate', summary: 'Free the seat of a domain or device',
    description: 'Works whatever the license status.', request: DeactivateRequest,
    responses: { 200: DeactivateResponse, 400: 'VALIDATION_ERROR', 404: 'NOT_FOUND, NOT_ACTIVATED', 413: 'PAYLOAD_TOO_LARGE', 429: 'RATE_LIMITED' },
  },
  {
    path: '/v1/licenses/consume', summary: 'Consume tokens',
    description: 'A repeated idempotencyKey on the same key answers the first answer again for 24 hours.',
    request: ConsumeRequest,
    responses: {
      200: ConsumeResponse, 400: 'VALIDATION_ERROR', 404: 'NOT_FOUND', 409: 'INSUFFICIENT_TOKENS', 413: 'PAYLOAD_TOO_LARGE',
      422: 'REVOKED, SUSPENDED, EXPIRED, NO_TOKEN_BUDGET, IDEMPOTENCY_MISMATCH', 429: 'RATE_LIMITED',
    },
  },
];

function publicOperation(r: PublicRoute): Json {
  const responses: Json = {};
  for (const [status, value] of Object.entries(r.responses)) {
    responses[status] = typeof value === 'string'
      ? { description: value, headers: signatureHeader, content: problemContent }
      : { description: 'OK', headers: signatureHeader, content: { 'application/json': { schema: schemaOf(value, 'output') } } };
  }
  return {
    post: {
      tags: ['License API'], summary: r.summary, description: r.description, operationId: r.path.split('/').pop(),
      requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.request, 'input') } } },
      responses,
    },
  };
}

function adminOperation(r: AdminRoute): Json {
  const op: Json = {
    tags: [r.tag], summary: r.summary, security: [{ bearer: [] }],
    description: `Needs the \`${r.scope}\` scope${r.operator ? ' on a token of the operator account' : ''}.`,
    responses: {
      [r.status]: r.response
        ? { description: 'OK', content: { 'application/json': { schema: schemaOf(r.response, 'output') } } }
        : { description: 'Done, no content' },
      400: { description: 'VALIDATION_ERROR', content: problemContent },
      401: { description: 'UNAUTHORIZED', content: problemContent },
      403: { description: 'FORBIDDEN', content: problemContent },
      404: { description: 'NOT_FOUND', content: problemContent },
    },
  };
  const params: Json[] = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (r.query) {
    const q = schemaOf(r.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      params.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
    }
  }
  if (params.length > 0) op.parameters = params;
  if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } };
  return op;
}

export function openApiDocument(adminRoutes: AdminRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const r of publicRoutes) paths[r.path] = publicOperation(r);
  paths['/v1/signing-key'] = {
    get: {
      tags: ['License API'], summary: 'The public key that verifies response signatures', operationId: 'signingKey',
      responses: { 200: { description: 'OK', content: { 'application/json': { schema: schemaOf(SigningKeyResponse, 'output') } } } },
    },
  };
  for (const r of adminRoutes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...(paths[path] ?? {}), [r.method]: adminOperation(r) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'BatchKeys API', version: '1',
      description: 'Self-hosted software licensing. Errors are application/problem+json (RFC 9457) with a stable `code`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { Problem: schemaOf(ProblemView, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An admin API token (bk_...)' } },
    },
    'x-error-codes': Object.fromEntries(Object.entries(errorStatus)),
  };
}
