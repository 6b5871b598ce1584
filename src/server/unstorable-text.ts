/**
 * PostgreSQL cannot store NUL in text, and an unpaired UTF-16 surrogate is not text at all. A
 * request carrying either in an identifier, a name or any other field is refused up front (400),
 * rather than failing deep in a query (500) or being stored mangled. Message text is the one
 * exception: it is the customer's words, kept as data with the two replaced by U+FFFD
 * (`validateMessageText`), so those fields are exempt here.
 */

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Top-level body fields holding message text, cleaned by validateMessageText where they are used. */
export const MESSAGE_TEXT_FIELDS: ReadonlySet<string> = new Set(['text', 'note']);

/**
 * The path of the first string (or object key) in `value` holding NUL or an unpaired surrogate,
 * or null. Walks at most `budget` nodes: a body is already size-limited, this bounds the walk.
 */
export function findUnstorableText(
  value: unknown,
  options: { exemptTopLevel?: ReadonlySet<string>; budget?: number } = {},
): string | null {
  let budget = options.budget ?? 100_000;
  const walk = (node: unknown, path: string, depth: number): string | null => {
    if ((budget -= 1) < 0) return null;
    if (typeof node === 'string') return UNSTORABLE.test(node) ? path || '(value)' : null;
    if (node === null || typeof node !== 'object') return null;
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index += 1) {
        const found = walk(node[index], `${path}[${index}]`, depth + 1);
        if (found) return found;
      }
      return null;
    }
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      const childPath = path ? `${path}.${key}` : key;
      if (UNSTORABLE.test(key)) return childPath;
      if (depth === 0 && options.exemptTopLevel?.has(key) && typeof child === 'string') continue;
      const found = walk(child, childPath, depth + 1);
      if (found) return found;
    }
    return null;
  };
  return walk(value, '', 0);
}
