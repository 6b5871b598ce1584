import { createTranslator } from '../../i18n/index.js';

/**
 * What an agent reads about a reply the style guide or a compliance rule stopped: in the console
 * beside the composer, and in the turn's trace as the reason of a hand-over.
 */
export const styleText = createTranslator({
  'zh-CN': {
    forbidden: '使用了品牌禁用语「{match}」',
    forbiddenFix: '改为「{replacement}」',
    forbiddenNoFix: '请删去或换一种说法',
    address: '对客户的称呼应使用「您」，不用「{match}」',
    addressFix: '改为「您」',
    familiar: '「{match}」对客户过于随意',
    familiarFix: '删去这个称呼',
    competitor: '回复中提到了竞争对手「{match}」',
    competitorFix: '删去提到竞争对手的这句话',
    greeting: '会话的第一条回复需要以问候开头（如「{example}」）',
    greetingFix: '在开头加上「{text}」',
    closing: '结束语需要包含致谢或道别（如「{example}」）',
    closingFix: '在末尾加上「{text}」',
    emoji: '品牌规范不允许使用表情符号「{match}」',
    emojiTooMany: '表情符号超过 {max} 个',
    emojiFix: '删去表情符号',
    length: '回复过长：{count} 字，上限 {max} 字',
    lengthWords: '回复过长：{count} 个词，上限 {max} 个词',
    lengthFix: '精简到 {max} 以内，一次只说清楚一件事',
    promisedReturns: '金融合规：回复承诺了收益或保本（「{match}」），已拦截并转人工',
    accountData: '金融合规：客户尚未核实身份，回复中包含账户信息（「{match}」），已拦截并转人工',
    diagnosis: '医疗合规：回复给出了诊断或用药建议（「{match}」），已拦截并转人工',
    custom: '合规规则：{reason}（「{match}」），已拦截并转人工',
    complianceFix: '不要发送；由人工核实后回复',
    rewritten: '回复不符合品牌规范，已由大模型改写一次后通过检查',
    draftForPerson: '回复不符合品牌规范（{rules}：{matches}），未发送，已作为草稿交给人工处理',
    withheld: '回复不符合品牌规范（{rules}：{matches}），未发送，已转人工处理',
    blocked: '回复触犯合规规则，未发送：{reasons}',
  },
  'zh-TW': {},
  en: {
    forbidden: 'Uses the banned phrase "{match}"',
    forbiddenFix: 'Say "{replacement}" instead',
    forbiddenNoFix: 'Remove it or say it another way',
    address: 'Address the customer as 您, not "{match}"',
    addressFix: 'Use 您',
    familiar: '"{match}" is too familiar for the brand',
    familiarFix: 'Leave the form of address out',
    competitor: 'Names the competitor "{match}"',
    competitorFix: 'Remove the sentence that names the competitor',
    greeting: 'The first reply of a conversation opens with a greeting (e.g. "{example}")',
    greetingFix: 'Start with "{text}"',
    closing: 'A closing message thanks the customer or says goodbye (e.g. "{example}")',
    closingFix: 'End with "{text}"',
    emoji: 'The style guide does not allow the emoji "{match}"',
    emojiTooMany: 'More than {max} emoji',
    emojiFix: 'Remove the emoji',
    length: 'Too long: {count} characters, the limit is {max}',
    lengthWords: 'Too long: {count} words, the limit is {max}',
    lengthFix: 'Shorten it to {max}; say one thing at a time',
    promisedReturns:
      'Finance compliance: the reply promises returns or capital protection ("{match}"); blocked and handed to a person',
    accountData:
      'Finance compliance: the customer is not verified and the reply shows account data ("{match}"); blocked and handed to a person',
    diagnosis: 'Medical compliance: the reply diagnoses or prescribes ("{match}"); blocked and handed to a person',
    custom: 'Compliance rule: {reason} ("{match}"); blocked and handed to a person',
    complianceFix: 'Do not send; a person checks and replies',
    rewritten: 'The reply broke the style guide; the LLM rewrote it once and it now passes',
    draftForPerson: 'The reply breaks the style guide ({rules}: {matches}); not sent, kept as a draft for a person',
    withheld: 'The reply breaks the style guide ({rules}: {matches}); not sent, a person takes over',
    blocked: 'The reply breaks a compliance rule and was not sent: {reasons}',
  },
});

export type StyleTextKey = Parameters<typeof styleText>[1];

/** The rule names as an agent reads them, for lists ("禁用语、称呼"). */
export const ruleNames = createTranslator({
  'zh-CN': {
    forbidden: '禁用语',
    address: '称呼',
    competitor: '竞争对手',
    greeting: '问候语',
    closing: '结束语',
    emoji: '表情符号',
    length: '长度',
    promised_returns: '承诺收益',
    account_data: '未核身泄露账户信息',
    diagnosis: '诊断或用药建议',
    custom: '合规规则',
  },
  en: {
    forbidden: 'banned phrase',
    address: 'form of address',
    competitor: 'competitor named',
    greeting: 'greeting',
    closing: 'closing',
    emoji: 'emoji',
    length: 'length',
    promised_returns: 'promised returns',
    account_data: 'account data before verification',
    diagnosis: 'diagnosis or prescription',
    custom: 'compliance rule',
  },
});
