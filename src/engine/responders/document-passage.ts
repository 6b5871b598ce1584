import {
  EXTRACTIVE_MIN_COVERAGE,
  extractAnswer,
  indexAnswerPassages,
  isConfidentExtract,
  scorePassages,
  type AnswerIndex,
  type ExtractedAnswer,
} from '../../knowledge/extractive-answer.js';
import { knowledgeText } from '../../knowledge/locales.js';
import { handoverQuickReply } from '../low-confidence.js';
import type { TenantRuntime } from '../tenant-runtime.js';
import type { TurnContext } from '../turn-context.js';
import { looksUnrelated } from './out-of-scope-floor.js';
import { answer, type Responder } from './responder.js';

/** A passage covering at least this share of the question is offered when kefu declines. */
export const PASSAGE_SUGGESTION_FLOOR = 0.4;
/** Tenants with at most this many document passages have all of them read; bigger ones the retrieval's top ones. */
const READ_ALL_BELOW = 400;
const CANDIDATES = 10;

type RuntimePassage = TenantRuntime['passages'] extends Map<string, infer P> ? P : never;

const indexes = new WeakMap<TenantRuntime['passages'], { index: AnswerIndex; count: number }>();

/** The tenant's document passages (not FAQ entries), indexed once per runtime. */
function answerIndex(runtime: TenantRuntime): { index: AnswerIndex; count: number } {
  let cached = indexes.get(runtime.passages);
  if (!cached) {
    const documents = [...runtime.passages.values()].filter((passage) => passage.source !== 'faq');
    cached = {
      index: indexAnswerPassages(
        documents.map((passage) => ({ id: passage.id, title: passage.title ?? '', text: passage.text })),
      ),
      count: documents.length,
    };
    indexes.set(runtime.passages, cached);
  }
  return cached;
}

/** The passages to read for this message: all of a small tenant's, else the retrieval's best documents. */
function candidateIds(context: TurnContext, count: number): string[] | undefined {
  if (count <= READ_ALL_BELOW) return undefined;
  return context.runtime.knowledge
    .search(context.normalized.text, { k: CANDIDATES * 3 })
    .filter((hit) => context.runtime.passages.get(hit.id)?.source !== 'faq')
    .slice(0, CANDIDATES)
    .map((hit) => hit.id);
}

/** The best extractive answer among the tenant's documents, if it has any. */
export function documentAnswer(context: TurnContext): ExtractedAnswer | null {
  const { index, count } = answerIndex(context.runtime);
  if (count === 0) return null;
  return extractAnswer(index, context.normalized.text, candidateIds(context, count));
}

/** Document passages worth offering when kefu declines, best first (at most three). */
export function passageSuggestions(context: TurnContext): Array<{ passage: RuntimePassage; coverage: number }> {
  const { index, count } = answerIndex(context.runtime);
  if (count === 0) return [];
  return scorePassages(index, context.normalized.text, candidateIds(context, count))
    .filter((score) => score.coverage >= PASSAGE_SUGGESTION_FLOOR)
    .slice(0, 3)
    .map((score) => ({ passage: context.runtime.passages.get(score.passageId)!, coverage: score.coverage }));
}

/** The customer's language for framing text: English when they write English, else the tenant's locale. */
export function replyLocale(context: TurnContext): string {
  return context.normalized.language === 'en' ? 'en' : context.runtime.locale;
}

/** A passage's document title and section from its heading trail ("title › section › sub"). */
export function titleAndSection(passage: RuntimePassage): { title: string; section: string } {
  const [title, ...rest] = (passage.title ?? '').split(' › ');
  return { title: title || passage.reference, section: rest.join(' › ') };
}

function quoteReply(context: TurnContext, passage: RuntimePassage, quote: string): string {
  const locale = replyLocale(context);
  const { title, section } = titleAndSection(passage);
  const params = { title, section, version: passage.version ?? 1, quote };
  return `${knowledgeText(locale, section ? 'quoteWithSection' : 'quote', params)}\n${knowledgeText(locale, 'offerPerson')}`;
}

/**
 * The light tier is not sure of an FAQ answer, but a document answers: quote the sentence (or
 * list item, table row, short section) that answers it, with the document's title, section and
 * version, and offer a person. Works with no LLM. When the extractive match is not confident, a
 * passage the retrieval's calibrated match puts at or above the gate is quoted whole (as before).
 */
export const documentPassage: Responder = {
  name: 'document-passage',
  propose(context) {
    const { understanding, gate } = context;
    const faqConfident = !looksUnrelated(context) && understanding.confidence >= gate;
    if (faqConfident || context.intentDefinition?.route === 'human') return null;
    const found = documentAnswer(context);
    const handover = handoverQuickReply(replyLocale(context));
    if (found && isConfidentExtract(found)) {
      context.knowledgeHits();
      const passage = context.runtime.passages.get(found.passageId)!;
      const citation = { source: passage.source, id: passage.reference, version: passage.version ?? 1 };
      const reason = `document answer: ${passage.reference} v${citation.version} covers ${found.coverage.toFixed(3)} of the question (≥ ${EXTRACTIVE_MIN_COVERAGE})`;
      return answer(quoteReply(context, passage, found.quote), reason, {
        citations: [citation],
        confidence: found.coverage,
        quickReplies: [handover],
      });
    }
    if (!looksUnrelated(context)) return null;
    const hit = context.bestDocumentHit();
    if (!hit) return null;
    const passage = context.runtime.passages.get(hit.id)!;
    const score = hit.matchScore.toFixed(3);
    const reason = `document passage ${passage.reference} matches with ${score} ≥ gate ${context.gate}`;
    const citation = { source: passage.source, id: passage.reference, version: passage.version ?? 1 };
    return answer(quoteReply(context, passage, passage.text), reason, {
      citations: [citation],
      quickReplies: [handover],
    });
  },
};
