import { KefuError } from '../errors/index.js';

/** The same answer whether the id does not exist or belongs to another tenant. */
export function notFound(code: string, what: string): KefuError {
  return new KefuError(code, `${what} not found`, { status: 404 });
}
