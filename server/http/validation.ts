import type { z } from 'zod';
import { AppError, type FieldError } from '../domain/errors.js';

/** The one place that turns a zod failure into a 400 VALIDATION_ERROR problem. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: base ? `${base}.${key}` : key, message: 'unknown field' });
    } else {
      out.push({ path: base, message: issue.message });
    }
  }
  return out;
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = fieldErrors(parsed.error);
  const summary = errors.slice(0, 3).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
  throw new AppError('VALIDATION_ERROR', `The ${what} is invalid: ${summary}.`, errors);
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new AppError('VALIDATION_ERROR', 'The request body must be a JSON object.');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('VALIDATION_ERROR', 'The request body is not valid JSON.');
  }
}
