import { normalizeText } from '../text/index.js';

function bigrams(text: string): string[] {
  const compact = normalizeText(text).text.replace(/[^\p{L}\p{N}]/gu, '');
  if (compact.length <= 1) return compact.length === 1 ? [compact] : [];
  return Array.from({ length: compact.length - 1 }, (_, index) => compact.slice(index, index + 2));
}

/**
 * The offered quick reply a customer meant: the exact label (a click), or a typed message that
 * contains most of a label ("那帮我加急催一下吧" → "加急催件"). Null when none fits clearly.
 */
export function matchQuickReply<T extends { label: string }>(text: string, offered: readonly T[]): T | null {
  const trimmed = text.trim();
  const exact = offered.find((reply) => reply.label === trimmed);
  if (exact) return exact;
  const message = new Set(bigrams(trimmed));
  let best: { reply: T; coverage: number } | null = null;
  let tie = false;
  for (const reply of offered) {
    const label = bigrams(reply.label);
    if (label.length === 0) continue;
    const coverage = label.filter((gram) => message.has(gram)).length / label.length;
    if (!best || coverage > best.coverage) {
      best = { reply, coverage };
      tie = false;
    } else if (coverage === best.coverage) tie = true;
  }
  return best && best.coverage >= 0.6 && !tie ? best.reply : null;
}
