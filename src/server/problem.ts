import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ErrorCodes, isKefuError } from '../errors/index.js';
import { isDatabaseUnavailable } from '../store/database-errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: Array<{ path: string; message: string }>;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: `https://kefu.dev/errors/${code}`, title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

/** Fastify's own error codes → kefu's stable codes. */
const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, ErrorCodes.unsupportedMediaType],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, ErrorCodes.payloadTooLarge],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, ErrorCodes.validation],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, ErrorCodes.malformedJson],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, ErrorCodes.malformedJson],
  FST_ERR_CTP_EMPTY_TYPE: [415, ErrorCodes.unsupportedMediaType],
  FST_ERR_CTP_INVALID_TYPE: [415, ErrorCodes.unsupportedMediaType],
  FST_ERR_VALIDATION: [400, ErrorCodes.validation],
  FST_ERR_BAD_URL: [400, ErrorCodes.validation],
  FST_ERR_ASYNC_CONSTRAINT: [400, ErrorCodes.validation],
};

/** The one place errors become HTTP answers (STYLE.md §5). Unknown errors are logged, bare 500. */
export function errorToProblem(error: unknown, request: FastifyRequest): Problem {
  const instance = request.url.split('?')[0];
  // The database went away (crash, restart, cut connections): not a bug, a retryable outage.
  if ((!isKefuError(error) || error.code === ErrorCodes.internal) && isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    return problem(503, ErrorCodes.databaseUnavailable, 'the database is not answering; retry in a few seconds', {
      instance,
      retryAfterSeconds: 2,
    });
  }
  if (isKefuError(error)) {
    if (error.category !== 'user') request.log.error({ err: error }, 'kefu error');
    return problem(error.status, error.code, error.message, { instance, ...(error.details ?? {}) });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    return problem(400, ErrorCodes.validation, 'the request does not match the schema', {
      instance,
      errors: error.validation.map((issue) => ({
        path: `${error.validationContext ?? 'body'}${issue.instancePath ?? ''}`,
        message: issue.message ?? 'invalid',
      })),
    });
  }
  const code = (error as { code?: string }).code;
  if (code && FASTIFY_CODES[code]) {
    const [status, kefuCode] = FASTIFY_CODES[code];
    return problem(status, kefuCode, (error as Error).message, { instance });
  }
  const statusCode = (error as { statusCode?: number }).statusCode;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return problem(
      statusCode,
      statusCode === 404 ? ErrorCodes.notFound : ErrorCodes.validation,
      (error as Error).message,
      { instance },
    );
  }
  request.log.error({ err: error }, 'unhandled error');
  return problem(500, ErrorCodes.internal, 'internal error', { instance });
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  if (body.status === 503 && typeof body.retryAfterSeconds === 'number' && !reply.hasHeader('retry-after'))
    reply.header('retry-after', String(Math.max(1, Math.ceil(body.retryAfterSeconds))));
  return reply.code(body.status).type('application/problem+json; charset=utf-8').send(body);
}
