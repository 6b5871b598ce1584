import { createTranslator } from '../../i18n/index.js';

/**
 * What agents and customers read about the hand-over guard. Agents see why a conversation came
 * to them (the situation and how sure the guard was); customers never see a category or a score.
 */
export const translateHandover = createTranslator({
  'zh-CN': {
    'category.self_harm': '自伤或轻生风险',
    'category.violence_threat': '暴力威胁',
    'category.fraud_scam': '正在发生或刚发生的诈骗',
    'category.account_takeover': '账号被盗或身份被冒用',
    'category.third_party_data': '索取他人信息或位置',
    'category.bereavement': '亲属离世或账户持有人已故',
    'category.complaint_escalation': '向监管、媒体或法院投诉',
    'category.refund_demand': '带金额或期限的退款赔偿要求',
    'category.human_request': '客户要求人工',
    'category.vulnerable_payment': '儿童或老人被诱导付款',
    'category.emergency_safety': '紧急情况或产品安全事故',
    'category.repeated_failure': '多次未解决，情绪升级',
    'category.other': '租户自定义的转人工规则',
    'source.rule': '规则命中',
    'source.tenant': '本租户的规则命中',
    'source.model': '分类模型判断',
    reason: '转人工：{category}（{source}，把握 {score}）',
    crisis_reply:
      '听到你这么说，我很担心你。你不是一个人，我已经请同事马上来陪你聊。如果你现在有危险，请立即拨打 {emergency}。也可以随时打给：{lines}。',
  },
  en: {
    'category.self_harm': 'risk of self-harm or suicide',
    'category.violence_threat': 'threat of violence',
    'category.fraud_scam': 'fraud in progress or just happened',
    'category.account_takeover': 'account takeover or identity theft',
    'category.third_party_data': "request for another person's data or location",
    'category.bereavement': 'bereavement or a deceased account holder',
    'category.complaint_escalation': 'complaint to a regulator, the media or a court',
    'category.refund_demand': 'refund or compensation demand with an amount or deadline',
    'category.human_request': 'the customer asked for a person',
    'category.vulnerable_payment': 'a child or an elderly customer misled into paying',
    'category.emergency_safety': 'emergency or product-safety incident',
    'category.repeated_failure': 'repeated failure and rising anger',
    'category.other': "one of the tenant's own hand-over rules",
    'source.rule': 'a rule matched',
    'source.tenant': "the tenant's rule matched",
    'source.model': 'the classifier judged it',
    reason: 'Hand-over: {category} ({source}, confidence {score})',
    crisis_reply:
      "I'm really sorry you're feeling this way, and I'm worried about you. You're not alone: I've asked a colleague to join you right now. If you are in immediate danger, please call {emergency}. You can also reach, at any time: {lines}.",
  },
  'zh-TW': {
    crisis_reply:
      '聽到你這麼說，我很擔心你。你不是一個人，我已經請同事馬上來陪你聊聊。如果你現在有危險，請立即撥打 {emergency}。也可以隨時撥打：{lines}。',
  },
  'zh-HK': {
    crisis_reply:
      '聽到你咁講，我好擔心你。你唔係一個人，我已經請同事即刻嚟陪你傾。如果你而家有危險，請立即致電 {emergency}。亦可以隨時致電：{lines}。',
  },
});
