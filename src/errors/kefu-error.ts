const marker = Symbol.for('kefu.error');

/** Who is at fault: the caller (4xx), kefu itself (5xx) or an upstream service (502). */
export type ErrorCategory = 'user' | 'system' | 'third_party';

export interface KefuErrorOptions {
  category?: ErrorCategory;
  /** HTTP status for `user` errors; defaults to 400. */
  status?: number;
  cause?: unknown;
  /** Extra, non-sensitive fields for the problem+json body (never request bodies or PII). */
  details?: Record<string, unknown>;
}

/**
 * The one error base class. `code` is stable and documented in docs/errors.md; identify kefu
 * errors with {@link isKefuError}, not `instanceof`, so duplicate package copies still match.
 */
export class KefuError extends Error {
  readonly [marker] = true;
  readonly code: string;
  readonly category: ErrorCategory;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: KefuErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KefuError';
    this.code = code;
    this.category = options.category ?? 'user';
    this.status = options.status ?? (this.category === 'user' ? 400 : this.category === 'third_party' ? 502 : 500);
    this.details = options.details;
  }
}

export function isKefuError(value: unknown): value is KefuError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}
