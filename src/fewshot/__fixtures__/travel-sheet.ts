import type { FewShotEntry } from '../index.js';

/** A small day-one sheet: 6 entries, 3–4 phrasings each, answers and categories. */
export const SHEET: FewShotEntry[] = [
  {
    label: 'refund',
    phrasings: ['机票退票怎么收费', '退机票要扣多少钱', '不想坐飞机了能退吗', '退票手续费多少'],
    answer: '在订单中点击退票，退票费按舱位收取，起飞前7天以上收10%。',
    category: '机票',
  },
  {
    label: 'change',
    phrasings: ['机票怎么改签', '航班日期能换吗', '想换个时间的航班', '改期要补多少钱'],
    answer: '在订单详情点击改签，需支付改签费和差价。',
    category: '机票',
  },
  {
    label: 'baggage',
    phrasings: ['坐飞机能带多少行李', '免费托运多少公斤', '行李超重怎么办', '随身能带几件行李'],
    answer: '经济舱免费托运20公斤，随身行李限1件5公斤。',
    category: '机票',
  },
  {
    label: 'data',
    phrasings: ['手机流量套餐怎么办理', '境外流量包多少钱', '出国上网卡怎么买'],
    answer: '在App「出行服务」购买境外流量包，每天25元不限量。',
    category: '出行服务',
  },
  {
    label: 'invoice',
    phrasings: ['酒店发票怎么开', '住酒店能开发票吗', '酒店的报销凭证', '酒店专票可以开吗'],
    answer: '离店后在订单页申请发票，电子发票3个工作日内发到邮箱。',
    category: '酒店',
  },
  {
    label: 'pets',
    phrasings: ['宠物能上飞机吗', '可以带猫坐飞机吗', '狗能托运吗'],
    answer: '小型猫狗可在部分航司客舱运输，需提前48小时申请并携带检疫证明。',
    category: '机票',
  },
];
