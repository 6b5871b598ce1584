import { createTranslator } from '../../i18n/index.js';

/** What a customer reads when one message asks two or three things. */
export const multiQuestionText = createTranslator({
  'zh-CN': {
    answerPart: '关于「{question}」：\n{answer}',
    chooseAmong: '您的消息里有几个问题，请选择您想了解的，或回复「转人工」：',
  },
  en: {
    answerPart: 'About "{question}":\n{answer}',
    chooseAmong: 'Your message asks several things. Please pick what you would like to know, or talk to a person:',
  },
});
