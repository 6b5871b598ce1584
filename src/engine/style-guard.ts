import type { StyleGuide } from '../packs/pack-schema.js';

export interface GuardOutcome {
  text: string;
  replaced: string[];
  /** Forbidden phrases still present after replacements: the reply must not go out as is. */
  violations: string[];
}

/** Applies a tenant's brand style guide to an outgoing reply (S16). */
export function applyStyleGuide(text: string, style: StyleGuide | null): GuardOutcome {
  if (!style) return { text, replaced: [], violations: [] };
  let result = text;
  const replaced: string[] = [];
  for (const [bad, good] of Object.entries(style.replacements)) {
    if (bad.length > 0 && result.includes(bad)) {
      result = result.split(bad).join(good);
      replaced.push(bad);
    }
  }
  const violations = style.forbidden.filter((phrase) => result.includes(phrase));
  return { text: result, replaced, violations };
}
