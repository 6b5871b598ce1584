import { normalizeText } from '../text/index.js';

export interface PromptLeakOptions {
  /** Units per shingle (a Han character or a Latin word/number is one unit; default 5). */
  ngram?: number;
  /**
   * Shared shingles that count as a leak. Default: 30% of the prompt's shingles, at least 8 and
   * at most 24 (about 28 consecutive characters or words copied from the prompt).
   */
  minSharedNgrams?: number;
}

export interface PromptOverlap {
  /** Distinct prompt shingles that also occur in the answer. */
  shared: number;
  /** Distinct shingles in the prompt. */
  total: number;
  /** shared / total (0 when the prompt is empty). */
  ratio: number;
}

/** Han characters one by one, Latin words and numbers whole; punctuation and spacing dropped. */
function units(text: string): string[] {
  return normalizeText(text).text.match(/\p{Script=Han}|[\p{L}\p{N}]+/gu) ?? [];
}

function shingles(text: string, size: number): Set<string> {
  const sequence = units(text);
  const result = new Set<string>();
  for (let start = 0; start + size <= sequence.length; start += 1)
    result.add(sequence.slice(start, start + size).join(' '));
  return result;
}

/** How much of the system prompt the answer reproduces, as n-gram overlap (after OpenCC t2s and width/case folding). */
export function measurePromptOverlap(answer: string, systemPrompt: string, ngram = 5): PromptOverlap {
  const prompt = shingles(systemPrompt, ngram);
  if (prompt.size === 0) return { shared: 0, total: 0, ratio: 0 };
  const reply = shingles(answer, ngram);
  let shared = 0;
  for (const shingle of prompt) if (reply.has(shingle)) shared += 1;
  return { shared, total: prompt.size, ratio: shared / prompt.size };
}

/**
 * True when the answer reproduces a substantial part of the system prompt (verbatim or in the
 * other Chinese script), so the pipeline can refuse to send it. A short phrase the prompt also
 * uses ("建议转人工客服") is not a leak; a copied rule paragraph is. Translation is not caught.
 * @example
 * if (detectPromptLeak(answer.text, systemPrompt)) reply = cannedRefusal;
 */
export function detectPromptLeak(answer: string, systemPrompt: string, options: PromptLeakOptions = {}): boolean {
  const overlap = measurePromptOverlap(answer, systemPrompt, options.ngram ?? 5);
  if (overlap.total === 0) return false;
  const threshold = options.minSharedNgrams ?? Math.max(8, Math.min(24, Math.ceil(overlap.total * 0.3)));
  return overlap.shared >= Math.min(threshold, overlap.total);
}
