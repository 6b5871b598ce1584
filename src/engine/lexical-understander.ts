import { tokenize } from '../text/index.js';
import type { LabelledPhrasing, Understander, Understanding } from './understander.js';

interface Profile {
  label: string;
  bigrams: Set<string>;
  tokens: Set<string>;
}

function characterBigrams(text: string): Set<string> {
  const compact = text.replace(/[^\p{L}\p{N}]/gu, '');
  const grams = new Set<string>();
  if (compact.length === 1) grams.add(compact);
  for (let index = 0; index + 1 < compact.length; index += 1) grams.add(compact.slice(index, index + 2));
  return grams;
}

function dice(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared += 1;
  return (2 * shared) / (a.size + b.size);
}

/**
 * The plain FAQ lookup: the best phrasing by character-bigram and word overlap. It is the
 * fallback when no classifier could be trained (e.g. a tenant with a single phrasing); its
 * "confidence" is a similarity, not a calibrated probability, and says so in `model`.
 */
export function createLexicalUnderstander(phrasings: readonly LabelledPhrasing[]): Understander {
  const profiles: Profile[] = phrasings.map((phrasing) => {
    const text = phrasing.text.toLowerCase();
    return { label: phrasing.label, bigrams: characterBigrams(text), tokens: new Set(tokenize(text)) };
  });
  return {
    understand(normalizedText: string): Understanding {
      const bigrams = characterBigrams(normalizedText);
      const tokens = new Set(tokenize(normalizedText));
      const best = new Map<string, number>();
      for (const profile of profiles) {
        const score = 0.6 * dice(bigrams, profile.bigrams) + 0.4 * dice(tokens, profile.tokens);
        if (score > (best.get(profile.label) ?? 0)) best.set(profile.label, score);
      }
      const ranked = [...best.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
      const top = ranked[0];
      if (!top || top[1] < 0.25) {
        return {
          intent: null,
          confidence: 0,
          outOfScope: true,
          alternatives: ranked.map(([intent, confidence]) => ({ intent, confidence })),
          model: 'lexical',
          reasons: ['no similar phrasing'],
        };
      }
      return {
        intent: top[0],
        confidence: Math.min(1, top[1]),
        outOfScope: false,
        alternatives: ranked.map(([intent, confidence]) => ({ intent, confidence })),
        model: 'lexical',
        reasons: [],
      };
    },
  };
}
