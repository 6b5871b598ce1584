import { KefuError } from '../errors/index.js';

/**
 * Stable codes of the LLM tier (to be listed in docs/errors.md with the others). Clients and the
 * turn pipeline may switch on them; never rename one.
 */
export const LlmErrorCodes = {
  /** The call (or the caller's overall budget) ran out of time. Retryable. */
  timeout: 'CS_LLM_TIMEOUT',
  /** The upstream answered with an error status or the connection failed. Retryable for 408/409/5xx and network errors. */
  upstream: 'CS_LLM_UPSTREAM',
  /** The upstream said 429. Retryable. */
  rateLimited: 'CS_LLM_RATE_LIMITED',
  /** The upstream answered 2xx with something that is not a usable completion (bad JSON, no choices, truncated stream). */
  malformed: 'CS_LLM_MALFORMED',
  /** The caller aborted the call. Not retryable. */
  aborted: 'CS_LLM_ABORTED',
  /** The local adapter's optional package (node-llama-cpp) is not installed, or the model could not load. */
  localUnavailable: 'CS_LLM_LOCAL_UNAVAILABLE',
} as const;

export type LlmErrorCode = (typeof LlmErrorCodes)[keyof typeof LlmErrorCodes];

const marker = Symbol.for('kefu.llm-call-error');

export interface LlmCallErrorOptions {
  /** HTTP status the upstream answered with, when there was one. */
  upstreamStatus?: number;
  /** Overrides the default derived from the code and status. */
  isRetryable?: boolean;
  /** Milliseconds the upstream asked us to wait (Retry-After / retry-after-ms). */
  retryAfterMs?: number;
  /** Provider and model, for logs. */
  provider?: string;
  modelId?: string;
  /** How many attempts were made before giving up. */
  attempts?: number;
  cause?: unknown;
}

/** Why a signal aborted, as an Error to reject with: the reason itself when it is one, else an Error whose cause it is. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}

/** 408, 409, 429 and 5xx are worth retrying; other statuses will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * A failed model call. `code` is one of {@link LlmErrorCodes}; retry logic reads `isRetryable`.
 * The message names the endpoint and status, never a request body or message text (transcripts
 * are PII). Identify it with {@link isLlmCallError}, not `instanceof`.
 */
export class LlmCallError extends KefuError {
  readonly [marker] = true;
  declare readonly code: LlmErrorCode;
  readonly isRetryable: boolean;
  readonly upstreamStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** How many attempts were made; set by the retry loop. */
  attempts: number | undefined;

  constructor(code: LlmErrorCode, message: string, options: LlmCallErrorOptions = {}) {
    const isRetryable =
      options.isRetryable ??
      (code === LlmErrorCodes.timeout ||
        code === LlmErrorCodes.rateLimited ||
        (code === LlmErrorCodes.upstream &&
          (options.upstreamStatus === undefined || isRetryableStatus(options.upstreamStatus))));
    super(code, message, {
      category: code === LlmErrorCodes.aborted ? 'system' : 'third_party',
      status: code === LlmErrorCodes.timeout ? 504 : code === LlmErrorCodes.rateLimited ? 503 : undefined,
      cause: options.cause,
      details: {
        upstreamStatus: options.upstreamStatus,
        isRetryable,
        provider: options.provider,
        modelId: options.modelId,
        attempts: options.attempts,
      },
    });
    this.name = 'LlmCallError';
    this.isRetryable = isRetryable;
    this.upstreamStatus = options.upstreamStatus;
    this.retryAfterMs = options.retryAfterMs;
    this.attempts = options.attempts;
  }
}

export function isLlmCallError(value: unknown): value is LlmCallError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}
