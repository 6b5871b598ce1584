import type { LoggerOptions } from 'pino';
import pino from 'pino';
import { maskDeep, maskPii } from '../guard/pii/index.js';

/**
 * Logs never carry a credential. Secrets reach a server in three places a logger would copy:
 * headers (API keys, agent sessions), query strings (browsers cannot set headers on a WebSocket,
 * so agent and widget sockets send their token as `?token=`), and database errors (PGlite and
 * node-postgres attach the failed statement's parameters, which can hold a password hash or a
 * key hash). Each is cut out here, by design rather than by listing today's routes.
 */

const SECRET_PARAMETERS = /^(token|access_token|api_key|apikey|key|password|secret|signature|code)$/i;
const SECRET_VALUE = /\b(kefu_(?:sk|at|op)_[A-Za-z0-9_-]+|whsec_[A-Za-z0-9+/=]+)/g;
const REDACTED = '[redacted]';

/** A URL path with the values of secret-looking query parameters replaced. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url.replace(SECRET_VALUE, REDACTED);
  const parameters = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return equals >= 0 && SECRET_PARAMETERS.test(decoded) ? `${name}=${REDACTED}` : pair;
    });
  return `${url.slice(0, query)}?${parameters.join('&')}`.replace(SECRET_VALUE, REDACTED);
}

/**
 * Strips any kefu key, agent session or webhook secret from free text (error messages), and masks
 * personal data in it (phones, IDs, cards, emails, addresses, names: see src/guard/pii).
 */
export function redactText(text: string): string {
  return maskPii(text.replace(SECRET_VALUE, REDACTED), { style: 'en' }).masked;
}

interface RequestLike {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  headers?: Record<string, unknown>;
  ip?: string;
  socket?: { remoteAddress?: string; remotePort?: number };
}

function serializeRequest(request: RequestLike) {
  return {
    method: request.method,
    url: redactText(redactUrl(request.url ?? '')),
    host: request.host ?? request.hostname ?? request.headers?.host,
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
    remotePort: request.socket?.remotePort,
  };
}

/** Error fields that hold a failed statement's values. */
const PARAMETER_FIELDS = ['params', 'parameters', 'values', 'bindings'];

function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as Record<string, unknown> | undefined;
  if (!serialized || typeof serialized !== 'object') return serialized;
  return scrubError(serialized, 0);
}

function scrubError(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (PARAMETER_FIELDS.includes(name)) copy[name] = REDACTED;
    else if (typeof field === 'string') copy[name] = redactText(field);
    else if (field && typeof field === 'object' && !Array.isArray(field) && depth < 4)
      copy[name] = scrubError(field as Record<string, unknown>, depth + 1);
    else copy[name] = field;
  }
  return copy;
}

/** pino options every kefu logger uses: request lines and errors scrubbed, credential headers removed. */
export function redactingLoggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: { req: serializeRequest, err: serializeError, error: serializeError },
    // Personal data never reaches a log line: in the message and in every string field logged.
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((argument: unknown) =>
            typeof argument === 'string' ? redactText(argument) : argument,
          ) as Parameters<typeof method>,
        );
      },
    },
    formatters: { log: (object) => maskDeep(object) },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'body.text',
        'body.password',
        'password',
        'password_hash',
        'token',
        'secret',
        '*.password',
        '*.password_hash',
        '*.token',
        '*.secret',
        '*.key_hash',
      ],
      censor: REDACTED,
    },
  };
}
