/**
 * Every stable error code kefu answers with. Documented in docs/errors.md; clients may switch
 * on these, so never rename one.
 */
export const ErrorCodes = {
  unauthorized: 'CS_UNAUTHORIZED',
  forbiddenScope: 'CS_FORBIDDEN_SCOPE',
  notFound: 'CS_NOT_FOUND',
  routeNotFound: 'CS_ROUTE_NOT_FOUND',
  conversationNotFound: 'CS_CONVERSATION_NOT_FOUND',
  messageNotFound: 'CS_MESSAGE_NOT_FOUND',
  traceNotFound: 'CS_TRACE_NOT_FOUND',
  tenantNotFound: 'CS_TENANT_NOT_FOUND',
  tenantExists: 'CS_TENANT_EXISTS',
  validation: 'CS_VALIDATION_FAILED',
  malformedJson: 'CS_MALFORMED_JSON',
  invalidUtf8: 'CS_INVALID_UTF8',
  unsupportedMediaType: 'CS_UNSUPPORTED_MEDIA_TYPE',
  payloadTooLarge: 'CS_PAYLOAD_TOO_LARGE',
  messageEmpty: 'CS_MESSAGE_EMPTY',
  messageTooLong: 'CS_MESSAGE_TOO_LONG',
  conversationClosed: 'CS_CONVERSATION_CLOSED',
  idempotencyConflict: 'CS_IDEMPOTENCY_CONFLICT',
  packInvalid: 'CS_PACK_INVALID',
  configInvalid: 'CS_CONFIG_INVALID',
  methodNotAllowed: 'CS_METHOD_NOT_ALLOWED',
  rateLimited: 'CS_RATE_LIMITED',
  shuttingDown: 'CS_SHUTTING_DOWN',
  connectorFailed: 'CS_CONNECTOR_FAILED',
  embeddingRequestFailed: 'CS_EMBEDDING_REQUEST_FAILED',
  llmTimeout: 'CS_LLM_TIMEOUT',
  llmUpstream: 'CS_LLM_UPSTREAM',
  llmRateLimited: 'CS_LLM_RATE_LIMITED',
  llmMalformed: 'CS_LLM_MALFORMED',
  llmAborted: 'CS_LLM_ABORTED',
  llmLocalUnavailable: 'CS_LLM_LOCAL_UNAVAILABLE',
  internal: 'CS_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
