import { createTranslator, resolveLocale } from '../i18n/index.js';
import { toTraditionalChinese } from '../text/script.js';
import type { TenantRuntime } from './tenant-runtime.js';

/**
 * What agents read about a turn: why a person takes over or approves a draft, in the tenant's
 * (or the agent's) language. The English `reasons` of the trace stay for engineers; these are the
 * words the console shows. Intents appear by name (the FAQ's question, the intent's description),
 * never as an id, and no text carries a reason code or a requirement tag.
 */
export const translateTurn = createTranslator({
  'zh-CN': {
    'handover.intent_to_person': '「{intent}」按设置转人工处理',
    'handover.no_answer': '「{intent}」还没有可用的答复，请人工回复',
    'handover.unsure': '机器人没有把握（把握 {confidence}，需要 {gate}），请人工接待',
    'handover.unsure_about': '机器人对「{intent}」没有把握（把握 {confidence}，需要 {gate}），请人工接待',
    'handover.playbook_invalid': '「{intent}」的处理流程配置有误，请人工处理并通知管理员修复',
    'handover.playbook': '处理流程转人工：{note}',
    'handover.playbook_plain': '「{intent}」的处理流程转人工',
    'handover.llm_leak': 'AI 回复疑似泄露内部设定，已拦截，请人工回复',
    'handover.llm_ungrounded': 'AI 回复没有依据知识库内容，已拦截，请人工回复',
    'handover.llm_failed': 'AI 暂时无法作答，请人工接待',
    'handover.agent_took_over': '客服主动接手',
    'handover.concurrent': '客户连续发来多条消息，机器人未能稳定回复，请人工接待',
    'handover.interrupted': '系统中断，机器人未能回复，请人工接待',
    'handover.default': '需要人工接待',
    'assist.sensitive_faq': '「{intent}」属于敏感问题，草稿需人工审核后发出',
    'assist.intent': '「{intent}」按设置需人工审核草稿后发出',
    'assist.llm_below_gate': 'AI 草稿把握不足（把握 {confidence}，需要 {gate}），请审核后发出',
    'assist.default': '草稿待人工审核',
    'intent.unknown': '未识别的问题',
    'panel.customer': '客户：{text}',
    'panel.customer_first': '客户（最初）：{text}',
    'panel.customer_latest': '客户（最近）：{text}',
    'panel.more': '…… 另有 {count} 条消息',
    'panel.intent': '意图：{intent}',
    'panel.reason': '转人工原因：{reason}',
    'panel.no_messages': '客户还没有发消息。',
    'panel.no_contact_keys': '该客户没有留下手机号或订单号。',
    'panel.no_orders': '没有查到订单。',
    'panel.orders_down': '订单系统暂时没有响应。',
  },
  en: {
    'handover.intent_to_person': 'Settings route “{intent}” to a person',
    'handover.no_answer': 'There is no answer for “{intent}” yet: please reply',
    'handover.unsure': 'The bot is unsure (confidence {confidence}, needs {gate}): please take over',
    'handover.unsure_about':
      'The bot is unsure about “{intent}” (confidence {confidence}, needs {gate}): please take over',
    'handover.playbook_invalid': 'The flow for “{intent}” is misconfigured: please handle it and tell an admin',
    'handover.playbook': 'A flow handed over: {note}',
    'handover.playbook_plain': 'The flow for “{intent}” handed over',
    'handover.llm_leak': 'The AI reply looked like it revealed internal instructions and was withheld: please reply',
    'handover.llm_ungrounded': 'The AI reply was not backed by the knowledge base and was withheld: please reply',
    'handover.llm_failed': 'The AI could not answer just now: please take over',
    'handover.agent_took_over': 'An agent took over',
    'handover.concurrent': 'The customer sent several messages at once and the bot could not reply reliably',
    'handover.interrupted': 'The system was interrupted before the bot replied: please take over',
    'handover.default': 'Needs a person',
    'assist.sensitive_faq': '“{intent}” is a sensitive question: a person approves the draft before it is sent',
    'assist.intent': 'Settings have a person approve drafts for “{intent}”',
    'assist.llm_below_gate':
      'The AI draft is not sure enough (confidence {confidence}, needs {gate}): review it before sending',
    'assist.default': 'A draft waits for approval',
    'intent.unknown': 'an unrecognised question',
    'panel.customer': 'Customer: {text}',
    'panel.customer_first': 'Customer (first): {text}',
    'panel.customer_latest': 'Customer (latest): {text}',
    'panel.more': '… {count} more message(s)',
    'panel.intent': 'Intent: {intent}',
    'panel.reason': 'Handed over because: {reason}',
    'panel.no_messages': 'The customer has not written yet.',
    'panel.no_contact_keys': 'No phone number or order number known for this contact.',
    'panel.no_orders': 'No orders found.',
    'panel.orders_down': 'The order system did not answer.',
  },
  'zh-TW': {
    'handover.intent_to_person': '「{intent}」依設定轉真人處理',
    'handover.no_answer': '「{intent}」尚無可用的回覆，請真人回覆',
    'handover.unsure': '機器人沒有把握（把握度 {confidence}，需達 {gate}），請真人接待',
    'handover.unsure_about': '機器人對「{intent}」沒有把握（把握度 {confidence}，需達 {gate}），請真人接待',
  },
});

export type TurnTextKey = Parameters<typeof translateTurn>[1];

/** A text for agents, kept as its key and values so it can be written in any locale. */
export interface AgentText {
  key: TurnTextKey;
  params?: Record<string, string | number>;
}

/** A score as people read it: 0.412 → 41%. */
export function percent(value: number): string {
  return `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;
}

/**
 * What a person reads for an intent: an FAQ's question, a pack intent's description (else its
 * name when that is not just an id), else null.
 */
export function intentName(
  runtime: Pick<TenantRuntime, 'faq' | 'intents'> | null | undefined,
  intent: string | null | undefined,
): string | null {
  if (!intent) return null;
  const question = runtime?.faq.get(intent)?.question;
  if (question) return question;
  const description = runtime?.intents.get(intent)?.description;
  if (description) return description;
  // A readable name (挂失, refund.request) is better than nothing; a bare FAQ id (faq-30) is not.
  return /^faq[-_]?\d+$/i.test(intent) ? null : intent;
}

/** The intent's name, or "an unrecognised question" in the locale. */
export function intentLabel(
  locale: string,
  runtime: Pick<TenantRuntime, 'faq' | 'intents'> | null | undefined,
  intent: string | null | undefined,
): string {
  return intentName(runtime, intent) ?? translateTurn(locale, 'intent.unknown');
}

/**
 * Writes an agent text in a locale. For a Traditional reader the values (an FAQ question the pack
 * wrote in Simplified) are converted with the message.
 */
export function agentText(locale: string, text: AgentText): string {
  return inScript(locale, translateTurn(locale, text.key, text.params));
}

/** Text in the locale's script: Traditional (OpenCC, Taiwan or Hong Kong forms) for zh-TW / zh-HK. */
function inScript(locale: string, text: string): string {
  const resolved = resolveLocale(locale);
  if (resolved === 'zh-TW' || resolved === 'zh-HK')
    return toTraditionalChinese(text, resolved === 'zh-HK' ? 'hk' : 'tw');
  return text;
}

/**
 * Hand-over reasons written by the system rather than a turn (an agent's takeover, a recovered
 * turn, concurrent messages), as stored, mapped to what an agent reads.
 */
const SYSTEM_REASONS: ReadonlyArray<[RegExp, TurnTextKey]> = [
  [/^taken over by an agent$/, 'handover.agent_took_over'],
  [/^the dialogue state kept changing/, 'handover.concurrent'],
  [/^turn interrupted/, 'handover.interrupted'],
  [/^(?:human|hand-over)$/, 'handover.default'],
  [/^assist$/, 'assist.default'],
];

/**
 * A stored hand-over reason as an agent reads it: the system's own reasons in the locale; a
 * reason already written for agents stays as it is, in Traditional script for a Traditional reader.
 */
export function storedReasonText(locale: string, reason: string): string {
  for (const [pattern, key] of SYSTEM_REASONS) if (pattern.test(reason)) return translateTurn(locale, key);
  return inScript(locale, reason);
}
