import { compileStyleGuide } from '../../guard/style/index.js';
import { detectLanguage, normalizeText, tokenize } from '../../text/index.js';
import { chooseFaqAnswer, customerLanguageOf, markedAsChinese } from '../localise-reply.js';
import { handoverQuickReply, suggestFaqOptions } from '../low-confidence.js';
import { gateFor } from '../turn-context.js';
import type { TurnContext } from '../turn-context.js';
import type { Citation, ClarifyOption } from '../turn-types.js';
import type { Understanding } from '../understander.js';
import { multiQuestionText } from './multi-question.locales.js';
import { handOver, type Proposal, type Responder } from './responder.js';

/** At most this many questions of one message are read on their own. */
const MAX_PARTS = 3;
/** Suggestions offered per unsure question. */
const SUGGESTIONS_PER_PART = 2;

/**
 * Words that start another question inside one message (还有 / 另外 / and also …), Simplified and
 * Traditional. They count only after a clause boundary (punctuation or a space), so 「还有货吗？」 and
 * 「我还有一个问题」 are not split.
 */
const CONNECTOR =
  /([,，、;；:：.。!！?？\s])(还有就是|还有|還有|另外|此外|顺便问一?下|順便問一?下|顺便问|順便問|再问一?下|再問一?下|and also|also,|another question|besides)/giu;
const BREAK = '\u0000';

/**
 * The questions of one message: split after each ？/? and before 还有/另外/and also. Text after
 * the last question mark that is not a question of its own ("发票怎么开？我上周买的") stays with the
 * question before it. Fragments without two characters or two words are dropped.
 * @example splitQuestions('花呗怎么开通？发票怎么开？') // ['花呗怎么开通？', '发票怎么开？']
 */
export function splitQuestions(text: string): string[] {
  const marked = text.replace(CONNECTOR, (_whole, boundary: string) => `${boundary}${BREAK}`);
  const parts: string[] = [];
  for (const clause of marked.split(BREAK)) {
    let current = '';
    const sentences: string[] = [];
    for (const character of clause) {
      current += character;
      if (character === '?' || character === '？') {
        sentences.push(current);
        current = '';
      }
    }
    if (sentences.length > 0 && current.trim().length > 0) sentences[sentences.length - 1] += current;
    else if (current.trim().length > 0) sentences.push(current);
    parts.push(...sentences);
  }
  return parts.map((part) => part.replace(/^[\s,，、;；:：.。!！]+|[\s,，、;；:：]+$/gu, '')).filter(isQuestionSized);
}

function isQuestionSized(part: string): boolean {
  const han = (part.match(/\p{Script=Han}/gu) ?? []).length;
  const words = (part.match(/[a-z]{2,}/gi) ?? []).length;
  return han >= 2 || words >= 2;
}

interface PartReading {
  text: string;
  understanding: Understanding;
  gate: number;
}

/**
 * A message with two or three questions ("花呗怎么开通？发票怎么开？", "运费多少？还有怎么开发票？",
 * "How much is shipping? And also how do I get an invoice?"). Each question is understood on its
 * own. When each is confidently a different FAQ entry with an answer, both are answered, each
 * under its question; otherwise the likely FAQ questions of every part are offered together, with
 * the hand-over quick reply (in finance and medical, where nothing is suggested, a person takes
 * over). Without an LLM this is the light tier's answer to a multi-part message; with one, the
 * LLM tier (earlier in the chain) answers it from passages.
 */
export const multiQuestion: Responder = {
  name: 'multi-question',
  propose(context) {
    const { runtime } = context;
    if (context.continuation) return null;
    const parts = splitQuestions(context.input.text).slice(0, MAX_PARTS);
    if (parts.length < 2) return null;
    const readings: PartReading[] = parts.map((text) => {
      const understanding = runtime.understander.understand(normalizeText(text).text);
      return { text, understanding, gate: gateFor(runtime, understanding.intent) };
    });
    // Two questions read as the same FAQ entry: the one that shares no word with the entry is a
    // misreading (「花呗怎么开通？」 read as 「怎么开发票？」 through 怎么/开), so it counts as not understood.
    for (const reading of readings) {
      const intent = reading.understanding.intent;
      if (intent === null || readings.filter((other) => other.understanding.intent === intent).length < 2) continue;
      if (!sharesWordWith(reading.text, runtime.faq.get(intent)))
        reading.understanding = notUnderstood(reading.understanding);
    }
    // Only a message whose questions are about different things (two phrasings of one question are one question).
    const targets = new Set(readings.map((reading) => reading.understanding.intent ?? `?${reading.text}`));
    if (targets.size < 2) return null;
    // Nothing in any part is about the tenant: the out-of-scope responders decide.
    if (
      readings.every((reading) => reading.understanding.outOfScope || reading.understanding.alternatives.length === 0)
    )
      return null;

    const summary = readings
      .map((reading) => `${reading.understanding.intent ?? 'none'} ${reading.understanding.confidence.toFixed(3)}`)
      .join(', ');
    const answered = readings.map((reading) => answerablePart(context, reading));
    let note = '';
    if (answered.every((part) => part !== null)) {
      const together = answerAll(context, answered, summary);
      // The brand's length limit holds for the reply as a whole: past it, each answer is a tap away.
      if (fitsLength(together.text, context)) return together;
      note = '; the answers together are longer than the style guide allows';
    }

    const options: ClarifyOption[] = [];
    for (const reading of readings) {
      const own = suggestFaqOptions(reading.understanding, runtime).slice(0, SUGGESTIONS_PER_PART);
      for (const option of own) if (!options.some((taken) => taken.intent === option.intent)) options.push(option);
    }
    if (options.length === 0)
      return handOver(context, `${parts.length} questions in one message (${summary}): not all are answerable`);
    return {
      route: 'auto',
      tier: 'light',
      text: multiQuestionText(localeFor(context), 'chooseAmong'),
      reasons: [
        `${parts.length} questions in one message (${summary})${note}: suggest ${options.map((option) => option.intent).join(', ')}`,
      ],
      quickReplies: [...options.map((option) => option.label), handoverQuickReply(localeFor(context))],
      clarify: options,
    };
  },
};

interface AnsweredPart {
  question: string;
  answer: string;
  citation: Citation;
  sensitive: boolean;
}

/** The part's FAQ answer when the part is confidently one FAQ entry; otherwise null. */
function answerablePart(context: TurnContext, reading: PartReading): AnsweredPart | null {
  const { understanding, gate } = reading;
  if (understanding.outOfScope || understanding.intent === null || understanding.confidence < gate) return null;
  const faq = context.runtime.faq.get(understanding.intent);
  if (!faq) return null;
  const chosen = chooseFaqAnswer(faq, context.input.text);
  return {
    question: faq.question,
    answer: chosen.kind === 'translate' ? markedAsChinese(chosen.text) : chosen.text,
    citation: { source: 'faq', id: faq.id, version: faq.version },
    sensitive: faq.sensitive,
  };
}

function answerAll(context: TurnContext, parts: AnsweredPart[], summary: string): Proposal {
  const locale = localeFor(context);
  const text = parts
    .map((part) => multiQuestionText(locale, 'answerPart', { question: part.question, answer: part.answer }))
    .join('\n\n');
  const sensitive = parts.some((part) => part.sensitive);
  return {
    route: sensitive ? 'assist' : 'auto',
    tier: 'light',
    text,
    reasons: [
      `${parts.length} questions in one message, each confident (${summary}): answered together` +
        (sensitive ? '; one is marked sensitive: a person approves the draft' : ''),
    ],
    citations: parts.map((part) => part.citation),
  };
}

/** Whether a reply keeps to the tenant's style-guide length (Chinese characters or English words). */
function fitsLength(text: string, context: TurnContext): boolean {
  const { maxCharsZh, maxWordsEn } = compileStyleGuide(context.runtime.style).length;
  const language = detectLanguage(text);
  if (language === 'en')
    return maxWordsEn === null || text.split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word)).length <= maxWordsEn;
  return maxCharsZh === null || [...text.replace(/\s+/gu, '')].length <= maxCharsZh;
}

/** Words that say nothing about the topic of a question. */
const FUNCTION_WORDS = new Set(
  (
    '怎么 怎样 怎么样 如何 什么 为什么 为啥 哪里 哪儿 哪个 哪些 多少 多久 几天 可以 能否 能不能 可不可以 是不是 有没有 ' +
    '吗 呢 吧 啊 呀 的 了 是 我 我的 你 你们 您 请问 一下 想 要 需要 还 也 就 都 和 跟 在 有 没有 能 会 ' +
    'how what when where why which who do does did i my me you your we the a an to is are can could would should of for in on it'
  ).split(' '),
);

/** Whether a question shares a topic word with the FAQ entry it was read as (its question or answers). */
function sharesWordWith(
  question: string,
  faq: { question: string; answer: string; answers?: Record<string, string | undefined> } | undefined,
): boolean {
  if (!faq) return true;
  const entry = normalizeText([faq.question, faq.answer, ...Object.values(faq.answers ?? {})].join(' ')).text;
  const words = tokenize(normalizeText(question).text, { stem: false }).filter(
    (word) => /[\p{L}\p{N}]/u.test(word) && !FUNCTION_WORDS.has(word) && [...word].length >= 2,
  );
  // Nothing but function words: no evidence either way.
  return words.length === 0 || words.some((word) => entry.includes(word));
}

function notUnderstood(understanding: Understanding): Understanding {
  return {
    ...understanding,
    intent: null,
    confidence: 0,
    alternatives: [],
    reasons: [...understanding.reasons, 'shares no word with the entry it was read as'],
  };
}

/** The customer's language for the frame text (English customers read English; else the tenant's Chinese). */
function localeFor(context: TurnContext): string {
  return customerLanguageOf(context.input.text) === 'en' ? 'en' : context.runtime.locale;
}
