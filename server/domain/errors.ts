/**
 * Every error a client can see has a stable code. The map below is the single, exhaustive
 * code-to-status table used by both the license API and the admin API.
 */
export const errorStatus = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  API_SUSPENDED: 403,
  NOT_FOUND: 404,
  NOT_ACTIVATED: 404,
  PRODUCT_NOT_FOUND: 404,
  POLICY_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  ACTIVATION_LIMIT_REACHED: 409,
  INSUFFICIENT_TOKENS: 409,
  LICENSE_REVOKED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REVOKED: 422,
  SUSPENDED: 422,
  EXPIRED: 422,
  PRODUCT_MISMATCH: 422,
  DOMAIN_REQUIRED: 422,
  DEVICE_REQUIRED: 422,
  NO_TOKEN_BUDGET: 422,
  IDEMPOTENCY_MISMATCH: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

const titles: Record<ErrorCode, string> = {
  VALIDATION_ERROR: 'Invalid request',
  UNAUTHORIZED: 'Unauthorized',
  FORBIDDEN: 'Forbidden',
  API_SUSPENDED: 'API access suspended',
  NOT_FOUND: 'Not found',
  NOT_ACTIVATED: 'Not activated',
  PRODUCT_NOT_FOUND: 'Product not found',
  POLICY_NOT_FOUND: 'Policy not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  CONFLICT: 'Conflict',
  ACTIVATION_LIMIT_REACHED: 'Activation limit reached',
  INSUFFICIENT_TOKENS: 'Insufficient tokens',
  LICENSE_REVOKED: 'License revoked',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  REVOKED: 'License revoked',
  SUSPENDED: 'License suspended',
  EXPIRED: 'License expired',
  PRODUCT_MISMATCH: 'Product mismatch',
  DOMAIN_REQUIRED: 'Domain required',
  DEVICE_REQUIRED: 'Device required',
  NO_TOKEN_BUDGET: 'No token budget',
  IDEMPOTENCY_MISMATCH: 'Idempotency key reused',
  RATE_LIMITED: 'Too many requests',
  INTERNAL_ERROR: 'Internal error',
  SERVICE_UNAVAILABLE: 'Service unavailable',
};

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = 'AppError';
    this.status = errorStatus[code];
  }
  get title(): string {
    return titles[this.code];
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

export function toProblem(err: AppError): Problem {
  const problem: Problem = {
    // A relative URI reference (RFC 9457 §3.1.1): the server's own reference page documents each code.
    type: `/docs#${err.code}`,
    title: err.title,
    status: err.status,
    detail: err.message,
    code: err.code,
  };
  if (err.errors && err.errors.length > 0) problem.errors = err.errors;
  return problem;
}
