import type { MessagePart } from '../store/schema.js';
import { chineseScriptOf, detectLanguage, toTraditionalChinese } from '../text/index.js';
import { knowledgeText } from '../knowledge/locales.js';

/**
 * A reply in the customer's script. Packs are written in Simplified Chinese; a customer who
 * writes Traditional gets the reply converted (text, quick-reply labels and source titles; ids
 * and reasons stay as they are). Clicking a converted quick reply still matches: every message is
 * read in Simplified.
 */
export function localiseReply<T extends { text: string; parts: MessagePart[] }>(reply: T, customerText: string): T {
  if (chineseScriptOf(customerText) !== 'traditional') return reply;
  return {
    ...reply,
    text: toTraditionalChinese(reply.text),
    parts: reply.parts.map((part): MessagePart => {
      if (part.type === 'text') return { ...part, text: toTraditionalChinese(part.text) };
      if (part.type === 'quick_replies')
        return { ...part, options: part.options.map((option) => toTraditionalChinese(option)) };
      if (part.type === 'citation' && part.title) return { ...part, title: toTraditionalChinese(part.title) };
      return part;
    }),
  };
}

/** The language a customer writes in: English, Traditional or Simplified Chinese (the default). */
export type CustomerLanguage = 'en' | 'zh-Hant' | 'zh-Hans';

/** English when the message has Latin words and no Chinese; Traditional when its Chinese is; else Simplified. */
export function customerLanguageOf(text: string): CustomerLanguage {
  if (detectLanguage(text) === 'en') return 'en';
  return chineseScriptOf(text) === 'traditional' ? 'zh-Hant' : 'zh-Hans';
}

const HAN = /\p{Script=Han}/u;

/** Whether a text has Chinese in it (an answer an English reader cannot read). */
export function hasChinese(text: string): boolean {
  return HAN.test(text);
}

/**
 * Which answer of an FAQ entry a customer gets:
 * - `own`: the pack's answer written for their language (`答案_en`, `答案_zh-TW`), or the main
 *   answer when it is already in their language;
 * - `translate`: an English customer and only a Chinese answer (the LLM translates it when one is
 *   configured; otherwise `inChinese` says so in English);
 * Traditional customers without an own answer get the Simplified one, which `localiseReply`
 * converts with OpenCC.
 */
export function chooseFaqAnswer(
  faq: { answer: string; answers?: Partial<Record<'en' | 'zh-TW', string>> },
  customerText: string,
): { text: string; kind: 'own' | 'translate' } {
  const language = customerLanguageOf(customerText);
  if (language === 'en') {
    if (faq.answers?.en) return { text: faq.answers.en, kind: 'own' };
    return { text: faq.answer, kind: hasChinese(faq.answer) ? 'translate' : 'own' };
  }
  if (language === 'zh-Hant' && faq.answers?.['zh-TW']) return { text: faq.answers['zh-TW'], kind: 'own' };
  return { text: faq.answer, kind: 'own' };
}

/** A Chinese answer for an English reader who has no translation: one line in English first, saying so. */
export function markedAsChinese(text: string): string {
  return `${knowledgeText('en', 'answerInChinese')}\n${text}`;
}
