export { KefuError, isKefuError } from './kefu-error.js';
export type { ErrorCategory, KefuErrorOptions } from './kefu-error.js';
export { ErrorCodes } from './codes.js';
export type { ErrorCode } from './codes.js';
