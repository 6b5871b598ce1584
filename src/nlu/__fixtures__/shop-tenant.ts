import type { IntentExample } from '../types.js';

/** A small bilingual e-commerce tenant (hand-written phrasings) shared by the light-tier tests. */
const phrasings: Record<string, string[]> = {
  return_goods: [
    '我要退货', '怎么退货', '这个东西想退掉', '退货流程是什么', '收到的商品不喜欢可以退吗', '申请退货',
    '衣服尺码不对想退', '七天无理由退货怎么操作', '退货地址在哪里', '能帮我退货吗',
    'i want to return this item', 'how do i return my order', 'can i send it back', 'return policy for shoes',
  ],
  track_order: [
    '我的快递到哪了', '物流信息怎么查', '包裹什么时候到', '订单发货了吗', '查一下物流', '快递一直不动',
    '为什么还没收到货', '帮我查查包裹', '配送进度', '什么时候发货',
    'where is my package', 'track my order', 'when will my parcel arrive', 'has my order shipped yet',
  ],
  invoice: [
    '怎么开发票', '我需要发票', '发票抬头写错了', '能开增值税专用发票吗', '电子发票在哪下载', '补开发票',
    '发票什么时候寄出', '公司报销要发票', '发票信息修改', '开个发票',
    'i need an invoice', 'how do i get a receipt for my order', 'can you send me the invoice', 'vat invoice please',
  ],
  change_address: [
    '修改收货地址', '地址填错了', '换一个收货地址', '能改地址吗', '收货人电话写错了', '我搬家了要改地址',
    '订单地址怎么改', '送到另一个地址', '更新配送地址', '把地址改成公司',
    'change my shipping address', 'i entered the wrong address', 'can i update the delivery address', 'ship to a different address',
  ],
  payment_failed: [
    '付款失败了', '支付不了', '银行卡付不了款', '为什么扣款失败', '支付一直转圈', '微信支付失败',
    '付款时提示错误', '信用卡被拒绝', '无法完成支付', '钱扣了订单没成功',
    'my payment failed', 'card was declined', 'cannot pay for my order', 'payment error at checkout',
  ],
};

export const shopExamples: IntentExample[] = Object.entries(phrasings).flatMap(([label, texts]) => texts.map((text) => ({ text, label })));

/** Out-of-scope phrasings (weather, chit-chat, other domains). */
export const shopOutOfScope: IntentExample[] = [
  '今天天气怎么样', '给我讲个笑话', '你喜欢什么音乐', '北京到上海的高铁票', '帮我写一首诗', '股票明天会涨吗',
  "what's the weather like", 'tell me a joke', 'who won the football game', 'recommend a movie',
].map((text) => ({ text, label: 'oos' }));
