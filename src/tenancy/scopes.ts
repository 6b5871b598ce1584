/** What an API key may do. `admin` implies every other scope. */
export const Scopes = ['chat', 'conversations:read', 'kb:write', 'analytics:read', 'admin'] as const;
export type Scope = (typeof Scopes)[number];

export function isScope(value: string): value is Scope {
  return (Scopes as readonly string[]).includes(value);
}

export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes('admin') || granted.includes(needed);
}
