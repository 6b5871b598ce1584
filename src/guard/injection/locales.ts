import { createTranslator } from '../../i18n/index.js';

export const injectionText = createTranslator({
  'zh-CN': {
    declined:
      '抱歉，我不能更改自己的工作方式，也不能透露内部设置。我可以帮您解答商品、订单和服务方面的问题，请问有什么可以帮您？',
  },
  en: {
    declined:
      "Sorry, I can't change how I work or share my internal setup. I'm happy to help with questions about our products, orders and services. What can I do for you?",
  },
});
