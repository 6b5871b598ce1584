import { describe, expect, it } from 'vitest';
import { chineseScriptOf } from '../text/index.js';
import { localiseReply } from './localise-reply.js';

const reply = {
  text: '签收次日起 7 天内，在订单详情点击「申请售后」→「退货退款」即可。',
  parts: [
    { type: 'text' as const, text: '签收次日起 7 天内，在订单详情点击「申请售后」→「退货退款」即可。' },
    { type: 'quick_replies' as const, options: ['免费补发', '全额退款'] },
    { type: 'citation' as const, source: 'faq:faq-10', title: '七天无理由退货怎么申请？', version: 1 },
  ],
};

describe('replies in the customer script', () => {
  it('tells the scripts apart', () => {
    expect(chineseScriptOf('七天無理由退貨怎麼申請？')).toBe('traditional');
    expect(chineseScriptOf('七天无理由退货怎么申请？')).toBe('simplified');
    expect(chineseScriptOf('你好')).toBe('simplified');
    expect(chineseScriptOf('How do I return an item?')).toBeNull();
  });

  it('converts text, quick replies and source titles for a Traditional-Chinese customer, nothing else', () => {
    const localised = localiseReply(reply, '七天無理由退貨怎麼申請？');
    expect(localised.text).toBe('簽收次日起 7 天內，在訂單詳情點選「申請售後」→「退貨退款」即可。');
    expect(localised.parts[1]).toEqual({ type: 'quick_replies', options: ['免費補發', '全額退款'] });
    // The source keeps its id and version; its title is converted like the text.
    expect(localised.parts[2]).toEqual({
      type: 'citation',
      source: 'faq:faq-10',
      title: '七天無理由退貨怎麼申請？',
      version: 1,
    });
  });

  it('leaves Simplified and English customers their reply as written', () => {
    expect(localiseReply(reply, '七天无理由退货怎么申请？')).toBe(reply);
    expect(localiseReply(reply, 'How do I return an item?')).toBe(reply);
  });
});
