import type { ChatModel, TokenUsage } from './chat-model.js';

export interface TranslateAnswerOptions {
  /** The tenant's answer (an FAQ answer written in Chinese). It is tenant content, not customer text. */
  text: string;
  /** Only English for now (the language a pack most often lacks). */
  target: 'en';
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TranslatedAnswer {
  /** The translation, or null when it was rejected (`problem` says why; the tokens were still spent). */
  text: string | null;
  problem: string | null;
  usage: TokenUsage;
  model: string;
  ms: number;
}

const SYSTEM_PROMPT = [
  'You translate customer-service answers from Chinese into natural, polite English.',
  'Translate the whole answer faithfully: keep every number, amount, date, time, link, phone number,',
  'product and brand name exactly as written, and add nothing that is not in the original.',
  'Reply with the English translation only, without quotes, notes or explanations.',
].join(' ');

const HAN = /\p{Script=Han}/gu;
const LATIN_WORD = /[a-z]{2,}/gi;

/**
 * Translates a tenant's answer for a customer who writes in another language, with one model call
 * (temperature 0). The result is checked: it must be non-empty, mostly Latin words and keep the
 * figures of the original; otherwise `text` is null and `problem` says why (the caller falls back).
 * A failed call throws an `LlmCallError`.
 * @example
 * const { text } = await translateAnswer(model, { text: '支持7天无理由退货。', target: 'en' });
 */
export async function translateAnswer(model: ChatModel, options: TranslateAnswerOptions): Promise<TranslatedAnswer> {
  const result = await model.generate({
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: options.text },
    ],
    temperature: 0,
    maxTokens: Math.min(2_000, 200 + options.text.length * 4),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = result.text.trim();
  const problem = translationProblem(options.text, text);
  return {
    text: problem === null ? text : null,
    problem,
    usage: result.usage,
    model: result.model,
    ms: result.latencyMs,
  };
}

/** Why a translation cannot be sent (empty, still Chinese, digits lost), or null when it can. */
export function translationProblem(original: string, translation: string): string | null {
  if (translation.length === 0) return 'empty';
  const han = (translation.match(HAN) ?? []).length;
  const words = (translation.match(LATIN_WORD) ?? []).length;
  if (words === 0 || han > words) return 'not in English';
  // Every figure of the original (amounts, phone numbers, days) must survive; Chinese numerals
  // (七天) may become figures, so only the original's figures are checked.
  const figures = new Set(translation.match(/\d+/g) ?? []);
  const lost = (original.match(/\d+/g) ?? []).filter((figure) => !figures.has(figure));
  if (lost.length > 0) return 'numbers differ from the original';
  return null;
}
