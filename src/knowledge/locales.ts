import { createTranslator } from '../i18n/index.js';

/** What a customer reads when kefu answers from, or points to, the tenant's documents. */
export const knowledgeText = createTranslator({
  'zh-CN': {
    quoteWithSection: '根据《{title}》「{section}」（第 {version} 版）：\n{quote}',
    quote: '根据《{title}》（第 {version} 版）：\n{quote}',
    offerPerson: '如果没有解决您的问题，可以回复「转人工」，由客服为您处理。',
    passageSuggestions: '以下资料可能有帮助：',
    passageLine: '{position}. 《{title}》{section}',
    answerInChinese: '以下答案只有中文版本：',
  },
  en: {
    quoteWithSection: 'From "{title}", section "{section}" (version {version}):\n{quote}',
    quote: 'From "{title}" (version {version}):\n{quote}',
    offerPerson: 'If this does not answer your question, reply "Talk to a human agent" and a person will help.',
    passageSuggestions: 'These documents may help:',
    passageLine: '{position}. "{title}" {section}',
    answerInChinese: 'This answer is only available in Chinese:',
  },
});
