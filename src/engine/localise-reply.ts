import type { MessagePart } from '../store/schema.js';
import { chineseScriptOf, toTraditionalChinese } from '../text/index.js';

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
