import { performance } from 'node:perf_hooks';
import { isLlmCallError } from '../../llm/index.js';
import { translateAnswer } from '../../llm/translate-answer.js';
import { intentLabel } from '../locales.js';
import { chooseFaqAnswer, customerLanguageOf, markedAsChinese } from '../localise-reply.js';
import type { TurnContext } from '../turn-context.js';
import type { LlmTrace } from '../turn-types.js';
import { answer, handOver, type Proposal, type Responder } from './responder.js';

/** A translation is a short call: past this the customer gets the Chinese answer, marked as such. */
const TRANSLATION_TIMEOUT_MS = 8_000;

/**
 * The understood intent's own answer: its FAQ entry (cited with its version) or the intent's
 * answer, in the customer's language (the pack's own English or Traditional answer when it has
 * one; for English customers otherwise the LLM's translation, or the Chinese answer with a line
 * saying so). A sensitive FAQ entry or an intent routed to assist becomes a draft a person
 * approves; an intent with nothing to say hands over.
 */
export const intentAnswer: Responder = {
  name: 'intent-answer',
  async propose(context) {
    const { runtime, intent, intentDefinition, understanding, gate } = context;
    const faq = intent ? runtime.faq.get(intent) : undefined;
    // An empty intent answer is no answer; an FAQ entry always has one.
    const written = faq ? faq.answer : intentDefinition?.answer || null;
    const name = { intent: intentLabel(runtime.locale, runtime, intent) };
    if (written === null)
      return handOver(context, `intent ${intent} has no answer to give`, { key: 'handover.no_answer', params: name });
    const localised = await inCustomerLanguage(context, faq ?? { answer: written });
    const text = localised.text;
    const extra: Partial<Proposal> = {
      ...(localised.llm ? { llm: localised.llm } : {}),
      citations: faq ? [{ source: 'faq', id: faq.id, version: faq.version }] : [],
    };
    const note = localised.note ? ` (${localised.note})` : '';
    if (faq?.sensitive) {
      return answer(text, `FAQ ${faq.id} is marked sensitive: a person approves the draft${note}`, {
        ...extra,
        route: 'assist',
        agentReason: { key: 'assist.sensitive_faq', params: name },
      });
    }
    if (intentDefinition?.route === 'assist') {
      return answer(text, `intent ${intent} is routed to assist${note}`, {
        ...extra,
        route: 'assist',
        agentReason: { key: 'assist.intent', params: name },
      });
    }
    return answer(text, `confidence ${understanding.confidence.toFixed(3)} ≥ gate ${gate}${note}`, extra);
  },
};

interface Localised {
  text: string;
  /** Which answer was chosen, for the trace (never shown to the customer). */
  note?: string;
  llm?: LlmTrace;
}

/** The answer in the customer's language: own, translated by the LLM, or Chinese marked as such. */
async function inCustomerLanguage(
  context: TurnContext,
  source: { answer: string; answers?: Partial<Record<'en' | 'zh-TW', string>> },
): Promise<Localised> {
  const chosen = chooseFaqAnswer(source, context.input.text);
  if (chosen.kind === 'own') {
    const language = customerLanguageOf(context.input.text);
    const own = chosen.text !== source.answer;
    return { text: chosen.text, ...(own ? { note: `the pack's own ${language} answer` } : {}) };
  }
  const llm = context.services.llm;
  if (!llm) return { text: markedAsChinese(chosen.text), note: 'no English answer and no LLM: sent in Chinese' };
  const started = performance.now();
  try {
    const translated = await translateAnswer(llm.model, {
      text: chosen.text,
      target: 'en',
      timeoutMs: Math.min(TRANSLATION_TIMEOUT_MS, llm.answerTimeoutMs),
    });
    const ms = Math.round(performance.now() - started);
    if (translated.text === null)
      return {
        text: markedAsChinese(chosen.text),
        note: `translation rejected (${translated.problem}): sent in Chinese`,
        llm: {
          ...translationTrace(llm.model.modelId, translated.usage, 'rejected', ms),
          error: 'translation_rejected',
        },
      };
    return {
      text: translated.text,
      note: `answer translated into English by ${llm.model.modelId}`,
      llm: translationTrace(llm.model.modelId, translated.usage, 'stop', ms),
    };
  } catch (error) {
    const code = isLlmCallError(error) ? error.code : 'CS_INTERNAL';
    const ms = Math.round(performance.now() - started);
    return {
      text: markedAsChinese(chosen.text),
      note: `translation failed (${code}): sent in Chinese`,
      llm: { ...translationTrace(llm.model.modelId, { inputTokens: 0, outputTokens: 0 }, 'error', ms), error: code },
    };
  }
}

function translationTrace(model: string, usage: LlmTrace['usage'], stopReason: string, ms: number): LlmTrace {
  return { model, usage, steps: 1, grounded: true, citations: [], stopReason, toolCalls: [], ms };
}
