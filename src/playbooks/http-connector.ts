import { KefuError } from '../errors/index.js';
import type { Connector, ConnectorQuery } from './connector.js';

/** How one table maps to an HTTP endpoint of the business system. */
export interface HttpTableMapping {
  /** Path under the base URL, e.g. `/orders`. `{column}` placeholders are filled from equality filters. */
  path: string;
  /** Query parameter for each filter column (default: the column name). */
  params?: Record<string, string>;
  /** Where the rows are in the JSON answer (default: the answer itself, or its `items`/`data`). */
  rows?: string;
}

export interface HttpConnectorOptions {
  name: string;
  baseUrl: string;
  /** Sent with every call, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  tables: Record<string, HttpTableMapping>;
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, 408, 429 and 5xx (default 2). */
  retries?: number;
  backoffMs?: number;
  /** Consecutive failures that open the circuit (default 5), and how long it stays open (default 30 s). */
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  fetch?: typeof fetch;
}

export class ConnectorError extends KefuError {
  constructor(
    message: string,
    readonly retryable: boolean,
    cause?: unknown,
  ) {
    super('CS_CONNECTOR_FAILED', message, { category: 'third_party', cause });
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * An HTTP connector over a business system's REST API: GET per table with filters as query
 * parameters, a timeout per call, retries with exponential backoff for transient failures, and a
 * circuit breaker so a dead system fails fast instead of making every turn wait.
 */
export function createHttpConnector(
  options: HttpConnectorOptions,
): Connector & { readonly circuit: () => 'closed' | 'open' | 'half-open' } {
  const timeoutMs = options.timeoutMs ?? 3000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 200;
  const threshold = options.breakerThreshold ?? 5;
  const cooldownMs = options.breakerCooldownMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;
  let failures = 0;
  let openedAt: number | null = null;

  const circuit = (): 'closed' | 'open' | 'half-open' => {
    if (openedAt === null) return 'closed';
    return Date.now() - openedAt >= cooldownMs ? 'half-open' : 'open';
  };

  function buildUrl(request: ConnectorQuery, mapping: HttpTableMapping): URL {
    const used = new Set<string>();
    const path = mapping.path.replace(/\{(\w+)\}/g, (_match, column: string) => {
      const value = request.where[column];
      used.add(column);
      return typeof value === 'object' || value === undefined ? '' : encodeURIComponent(String(value));
    });
    const url = new URL(
      path.replace(/^\//, ''),
      options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`,
    );
    for (const [column, value] of Object.entries(request.where)) {
      if (used.has(column)) continue;
      const parameter = mapping.params?.[column] ?? column;
      if (typeof value === 'object') for (const item of value.in) url.searchParams.append(parameter, String(item));
      else url.searchParams.set(parameter, String(value));
    }
    if (request.limit !== undefined) url.searchParams.set('limit', String(request.limit));
    return url;
  }

  async function attempt(url: URL, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await doFetch(url, { headers: { accept: 'application/json', ...options.headers }, signal: combined });
    } catch (error) {
      const timedOut = timeout.aborted;
      throw new ConnectorError(
        timedOut ? `${options.name}: no answer within ${timeoutMs} ms` : `${options.name}: ${(error as Error).message}`,
        !signal?.aborted,
        error,
      );
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new ConnectorError(`${options.name}: HTTP ${response.status}`, RETRYABLE_STATUS.has(response.status));
    }
    try {
      return await response.json();
    } catch (error) {
      throw new ConnectorError(`${options.name}: the answer is not JSON`, false, error);
    }
  }

  return {
    name: options.name,
    circuit,
    async query(request, signal) {
      const mapping = options.tables[request.table];
      if (!mapping) throw new ConnectorError(`${options.name}: no mapping for table ${request.table}`, false);
      if (circuit() === 'open')
        throw new ConnectorError(`${options.name}: circuit open after ${failures} failures`, false);
      const url = buildUrl(request, mapping);
      let lastError: unknown;
      for (let attemptNumber = 0; attemptNumber <= retries; attemptNumber += 1) {
        try {
          const body = await attempt(url, signal);
          failures = 0;
          openedAt = null;
          return extractRows(body, mapping.rows, request);
        } catch (error) {
          lastError = error;
          const retryable = error instanceof ConnectorError && error.retryable;
          if (!retryable || attemptNumber === retries || circuit() === 'half-open') break;
          const delay = backoffMs * 2 ** attemptNumber * (0.5 + Math.random());
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
      failures += 1;
      if (failures >= threshold || circuit() === 'half-open') openedAt = Date.now();
      throw lastError;
    },
  };
}

function extractRows(
  body: unknown,
  rowsPath: string | undefined,
  request: ConnectorQuery,
): Array<Record<string, string>> {
  let rows: unknown = body;
  if (rowsPath) for (const key of rowsPath.split('.')) rows = (rows as Record<string, unknown> | null)?.[key];
  else if (!Array.isArray(rows) && rows !== null && typeof rows === 'object')
    rows = (rows as { items?: unknown; data?: unknown }).items ?? (rows as { data?: unknown }).data;
  if (!Array.isArray(rows)) throw new ConnectorError('the answer has no list of rows', false);
  const result = rows
    .filter((row): row is Record<string, unknown> => row !== null && typeof row === 'object')
    .map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([key, value]) => [
          key,
          value === null || value === undefined
            ? ''
            : typeof value === 'object'
              ? JSON.stringify(value)
              : String(value as string | number | boolean), // a JSON answer's scalars
        ]),
      ),
    );
  if (request.orderBy) {
    const { column, direction } = request.orderBy;
    result.sort((a, b) => (a[column] ?? '').localeCompare(b[column] ?? '') * (direction === 'desc' ? -1 : 1));
  }
  return request.limit === undefined ? result : result.slice(0, request.limit);
}

/** Routes each table to the connector that serves it (HTTP where mapped, else the built-in one). */
export function createRoutingConnector(byTable: ReadonlyMap<string, Connector>, fallback: Connector): Connector {
  return {
    name: 'routing',
    query: (request, signal) => (byTable.get(request.table) ?? fallback).query(request, signal),
  };
}
