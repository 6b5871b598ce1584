import type { DialogueState } from './turn-types.js';
import type { TenantRuntime } from './tenant-runtime.js';
import type { Understanding } from './understander.js';

/**
 * An elliptical follow-up that leans on the previous turn: 「那改签呢？」, 「儿童的呢」, 「如果是套餐里的酒店呢」,
 * 「取消的话呢」, "how about for kids?", "what about hotels". Runs on normalised text (Simplified, lower case).
 */
const ELLIPTICAL = [
  /^(?:那|那么|那如果|如果是|要是|还有|那要是|换成|改成)/,
  /(?:呢|的话)\s*[?？!！。.]*\s*$/,
  /^(?:and |what about|how about|and for|what if|same for|for )/,
];
/** Short messages carry too little on their own ("手机号也换了", "我老婆35周了"). */
const SHORT = 8;

/** Thanks and closings are short but not follow-ups ("好的谢谢", "ok 没问题了", "thanks"). */
const CLOSING =
  /^(?:好的?|好吧|行|嗯+|ok|okay|谢谢|多谢|感谢|thanks?|thank you|bye|再见|拜拜|没问题|没事了|知道了|明白了|了解)(?:[\s,，。.!！]*(?:好的?|谢谢|多谢|啦|了|呀|哈|没问题了?|没事了?|知道了|明白了|thanks?|bye|再见|拜拜))*[\s,，。.!！~～]*$/;

export function isElliptical(normalizedText: string): boolean {
  const text = normalizedText.trim();
  if (CLOSING.test(text)) return false;
  const length = [...text.replace(/\s+/g, '')].length;
  return ELLIPTICAL.some((pattern) => pattern.test(text)) || (length > 0 && length <= SHORT);
}

/**
 * The previous turn's topic as text: its FAQ category (机票, 酒店 …), else its question, else the
 * intent's sample phrasing. The category beat the whole question on travel-zh dialogues during
 * development: the question drowns the one new word of the follow-up (「那孕妇呢」 after
 * 宠物能上飞机吗 became 宠物 again).
 */
function topicText(runtime: TenantRuntime, intent: string): string | null {
  const faq = runtime.faq.get(intent);
  return faq?.category ?? faq?.question ?? runtime.intents.get(intent)?.sample ?? null;
}

/**
 * Reads a follow-up in the context of the previous turn: when the message is elliptical and the
 * conversation has a topic, the message is understood again together with that topic's question,
 * and that reading wins when it is more confident. 「那改签呢？」 after 机票退票 is read as 机票 + 改签.
 * A self-contained message is left as it is.
 */
export function resolveFollowUp(
  runtime: TenantRuntime,
  normalizedText: string,
  state: DialogueState,
  understanding: Understanding,
): { understanding: Understanding; resolved: boolean } {
  const previous = state.lastIntent;
  if (!previous || !isElliptical(normalizedText)) return { understanding, resolved: false };
  const topic = topicText(runtime, previous);
  if (!topic) return { understanding, resolved: false };
  const withContext = runtime.understander.understand(`${normalizedText} ${topic.toLowerCase()}`);
  if (withContext.outOfScope || withContext.intent === null || withContext.confidence <= understanding.confidence)
    return { understanding, resolved: false };
  return {
    understanding: {
      ...withContext,
      reasons: [...withContext.reasons, `follow-up read with the previous topic ${previous}`],
    },
    resolved: true,
  };
}
