import { trainFewShotMatcher, type FewShotMatcher } from '../fewshot/index.js';
import { isLlmCallError, type ChatModel, type TokenUsage } from '../llm/index.js';
import { normalizeText } from '../text/index.js';

/** The kinds of phrasing asked for: how customers write, with typos, in Traditional, in English. */
export const PHRASING_KINDS = ['colloquial', 'typo', 'traditional', 'english'] as const;
export type PhrasingKind = (typeof PHRASING_KINDS)[number];

/** One FAQ entry as the generator sees it. */
export interface PhrasingSourceEntry {
  id: string;
  question: string;
  alternatives: readonly string[];
  answer: string;
}

/** A generated phrasing: queued for a person (`pending`) or held back (`flagged`) with why. */
export interface GeneratedPhrasing {
  faqId: string;
  text: string;
  kind: PhrasingKind;
  status: 'pending' | 'flagged';
  /** For a flagged phrasing: the other entry it would be read as, and how sure the matcher is (1 for an identical phrasing). */
  collidesWith: string | null;
  collisionConfidence: number | null;
}

export interface PhrasingGenerationResult {
  phrasings: GeneratedPhrasing[];
  /** Entries whose call failed or whose answer could not be read, with the reason. */
  failures: Array<{ faqId: string; reason: string }>;
  usage: TokenUsage;
  model: string;
}

export interface PhrasingGenerationOptions {
  /** Phrasings asked per kind (default 2, at most 5). */
  perKind?: number;
  /** A generated phrasing the matcher reads as another entry with at least this confidence is flagged (default 0.85). */
  collisionConfidence?: number;
  /** Per call (default 20 s). */
  timeoutMs?: number;
  /** At most this many entries (default 500): one call each. */
  maxEntries?: number;
  /** Only these entries get phrasings (all of them still take part in the collision check). */
  only?: ReadonlySet<string>;
  userDictionary?: readonly string[];
}

const SYSTEM_PROMPT = [
  'You write the different ways customers of a Chinese business ask one FAQ question, for training a matcher.',
  'Given the question, its known phrasings and its answer, write new phrasings of the same question only',
  '(never a different question, never the answer):',
  '"colloquial": casual Simplified Chinese as typed in a chat;',
  '"typo": Simplified Chinese with a realistic typing mistake (a homophone or a missing character);',
  '"traditional": Traditional Chinese as written in Taiwan or Hong Kong;',
  '"english": natural English.',
  'Reply with one JSON object only: {"colloquial": [...], "typo": [...], "traditional": [...], "english": [...]}',
].join(' ');

/**
 * Asks the model for varied phrasings of each FAQ entry (one call per entry, temperature 0.7) and
 * checks each against the whole sheet: a phrasing identical (after normalising script, width and
 * case) to one of its own entry's is dropped; identical to another entry's, or read by the few-shot
 * matcher as another entry with confidence ≥ `collisionConfidence`, it is `flagged` with that
 * entry; otherwise it is `pending`, for a person to approve. Nothing becomes live here. Never
 * throws for the model's failures: they are listed in `failures`.
 * @example
 * const result = await generatePhrasings(model, entries);
 * await queuePhrasings(db, tenantId, result);
 */
export async function generatePhrasings(
  model: ChatModel,
  entries: readonly PhrasingSourceEntry[],
  options: PhrasingGenerationOptions = {},
): Promise<PhrasingGenerationResult> {
  const perKind = Math.min(5, Math.max(1, options.perKind ?? 2));
  const threshold = options.collisionConfidence ?? 0.85;
  const chosen = entries
    .filter((entry) => !options.only || options.only.has(entry.id))
    .slice(0, options.maxEntries ?? 500);
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const failures: PhrasingGenerationResult['failures'] = [];
  const phrasings: GeneratedPhrasing[] = [];
  const owner = new Map<string, string>();
  for (const entry of entries)
    for (const text of [entry.question, ...entry.alternatives]) {
      const key = normalized(text);
      if (!owner.has(key)) owner.set(key, entry.id);
    }
  const matcher = entries.length >= 2 ? trainMatcher(entries, options.userDictionary) : null;
  for (const entry of chosen) {
    let text: string;
    try {
      const result = await model.generate({
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          {
            role: 'user',
            content: JSON.stringify({
              question: entry.question,
              phrasings: entry.alternatives.slice(0, 10),
              answer: entry.answer.slice(0, 500),
              perKind,
            }),
          },
        ],
        temperature: 0.7,
        maxTokens: 150 + perKind * 4 * 60,
        timeoutMs: options.timeoutMs ?? 20_000,
      });
      usage.inputTokens += result.usage.inputTokens;
      usage.outputTokens += result.usage.outputTokens;
      text = result.text;
    } catch (error) {
      failures.push({ faqId: entry.id, reason: isLlmCallError(error) ? error.code : 'CS_INTERNAL' });
      continue;
    }
    const parsed = parsePhrasings(text, perKind);
    if (parsed === null) {
      failures.push({ faqId: entry.id, reason: 'the answer is not the JSON object asked for' });
      continue;
    }
    const seen = new Set<string>();
    for (const { kind, text: phrasing } of parsed) {
      const key = normalized(phrasing);
      if (seen.has(key)) continue;
      seen.add(key);
      const identical = owner.get(key);
      if (identical === entry.id) continue; // the entry already has it
      if (identical !== undefined) {
        phrasings.push(flag(entry.id, phrasing, kind, identical, 1));
        continue;
      }
      const reading = matcher?.match(phrasing);
      if (reading?.intent && reading.intent !== entry.id && reading.confidence >= threshold) {
        phrasings.push(flag(entry.id, phrasing, kind, reading.intent, reading.confidence));
        continue;
      }
      phrasings.push({
        faqId: entry.id,
        text: phrasing,
        kind,
        status: 'pending',
        collidesWith: null,
        collisionConfidence: null,
      });
    }
  }
  return { phrasings, failures, usage, model: model.modelId };
}

/** The model's answer read strictly: per kind, an array of short non-empty strings (others ignored). */
export function parsePhrasings(text: string, perKind = 5): Array<{ kind: PhrasingKind; text: string }> | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const found: Array<{ kind: PhrasingKind; text: string }> = [];
  for (const kind of PHRASING_KINDS) {
    const list = (value as Record<string, unknown>)[kind];
    if (!Array.isArray(list)) continue;
    for (const item of list.slice(0, perKind)) {
      if (typeof item !== 'string') continue;
      const phrasing = item.replace(/\s+/g, ' ').trim();
      if (phrasing.length > 0 && phrasing.length <= 200) found.push({ kind, text: phrasing });
    }
  }
  return found.length > 0 ? found : null;
}

function flag(faqId: string, text: string, kind: PhrasingKind, other: string, confidence: number): GeneratedPhrasing {
  return {
    faqId,
    text,
    kind,
    status: 'flagged',
    collidesWith: other,
    collisionConfidence: Math.round(confidence * 1000) / 1000,
  };
}

function trainMatcher(entries: readonly PhrasingSourceEntry[], userDictionary?: readonly string[]): FewShotMatcher {
  return trainFewShotMatcher(
    entries.map((entry) => ({
      label: entry.id,
      phrasings: [entry.question, ...entry.alternatives],
      answer: entry.answer,
    })),
    userDictionary ? { userDictionary } : {},
  );
}

/** Script, width, case and punctuation folded: 「怎麼開發票？」 and 「怎么开发票」 are one phrasing. */
function normalized(text: string): string {
  return normalizeText(text).text.replace(/[\s\p{P}\p{S}]+/gu, '');
}
