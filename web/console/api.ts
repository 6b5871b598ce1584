import type { Problem } from '../shared/wire.js';

/** A refused request: the server's problem+json, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** The agent REST API (docs/handoff.md) with the session's bearer token. */
export class AgentApi {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await call(method, `/v1/agent${path}`, body, this.token);
    if (response.status === 401) this.onUnauthorized();
    return read<T>(response);
  }
}

export async function login(
  tenant: string,
  email: string,
  password: string,
): Promise<{ token: string; expiresAt: string; agent: import('./types.js').Agent }> {
  return read(await call('POST', '/v1/agent/sessions', { tenant, email, password }));
}

async function call(method: string, url: string, body: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    return await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', (error as Error).message);
  }
}

async function read<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: reported below
  }
  if (!response.ok) {
    const problem = (json ?? {}) as Partial<Problem>;
    throw new ApiError(
      response.status,
      problem.code ?? `HTTP_${response.status}`,
      problem.detail ?? response.statusText,
    );
  }
  return json as T;
}
