import type { z } from 'zod';
import { ErrorCodes, KefuError } from '../errors/index.js';

/**
 * Parses `value` with `schema`, or throws a 400 whose problem body lists every failing field as
 * `errors: [{path, message}]`, with paths shaped like the HTTP validator's (`body/limits/burst`).
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, pathPrefix: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((issue) => {
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? issue.keys.map(String) : [];
    const segments = [...issue.path.map(String), ...(keys.length === 1 ? keys : [])];
    return { path: [pathPrefix, ...segments].join('/'), message: issue.message };
  });
  throw new KefuError(ErrorCodes.validation, 'the request does not match the schema', { details: { errors } });
}
