import { createTranslator } from '../i18n/index.js';

/** What a customer reads around an offer (the offer's own text comes from the pack). */
export const offerText = createTranslator({
  'zh-CN': {
    defaultCta: '看看这个优惠',
    optOut: '不再推荐',
    optedOut: '好的，之后不会再向您推荐商品或套餐。',
    clicked: '好的，这是「{title}」的详情：{price} 元。需要的话直接告诉我，我帮您下单。',
  },
  en: {
    defaultCta: 'Show me this offer',
    optOut: 'No more offers',
    optedOut: 'Understood — we won’t suggest products or bundles again.',
    clicked: 'Here are the details of “{title}”: ¥{price}. Just tell me if you’d like to book it.',
  },
  'zh-TW': {
    optedOut: '好的，之後不會再向您推薦商品或套裝。',
  },
});

/** Replies to a customer who writes back to a proactive message with nothing the bot can use. */
export const outreachText = createTranslator({
  'zh-CN': { unknownContact: '未找到该客户' },
  en: { unknownContact: 'Contact not found' },
});
