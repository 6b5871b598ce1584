/**
 * Context words: what the customer wrote just before a candidate says what it is. The nearest
 * keyword wins, so in 「订单号 2024…，手机 138…」 the phone's context is 手机 and the order
 * number's is 订单号. Keywords are matched on the folded text, case-insensitively.
 */
export type ContextKind =
  | 'phone'
  | 'landline'
  | 'id_card'
  | 'bank_card'
  | 'passport'
  | 'hk_id'
  | 'tw_id'
  | 'email'
  | 'address'
  | 'negative'
  | 'amount'
  | 'date';

const KEYWORDS: Record<ContextKind, string[]> = {
  phone: [
    '手机',
    '手機',
    '电话',
    '電話',
    '号码',
    '號碼',
    '联系方式',
    '聯絡方式',
    '聯繫方式',
    '联系',
    '聯絡',
    '聯繫',
    '致电',
    '致電',
    '来电',
    '來電',
    '回电',
    '回電',
    '拨打',
    '撥打',
    '打给',
    '打給',
    '打我',
    '打这个',
    '短信',
    '簡訊',
    '微信',
    '手机号',
    '行动电话',
    '行動電話',
    'phone',
    'mobile',
    'cell',
    'tel',
    'call',
    'contact',
    'reach me',
    'text me',
    'whatsapp',
    'wechat',
    '快递员',
    '快遞員',
    '配送员',
    '外卖员',
    '骑手',
    '司机',
    '司機',
    '师傅',
    '打',
  ],
  landline: [
    '座机',
    '座機',
    '固话',
    '固話',
    '固定电话',
    '固定電話',
    '办公电话',
    '辦公電話',
    '分机',
    '分機',
    '家里电话',
    '家裡電話',
    '市话',
    'landline',
    'office line',
    'home phone',
    'fax',
    '传真',
    '傳真',
  ],
  id_card: [
    '证件号码',
    '證件號碼',
    '身份证号码',
    '身份證號碼',
    '身分證號碼',
    '身分證字號',
    'id card number',
    'id number is',
    '身份证',
    '身份證',
    '身分證',
    '身份号',
    '证件号',
    '證件號',
    '证件',
    '證件',
    '公民身份',
    'id card',
    'id number',
    'id no',
    'identity',
    'national id',
    'resident id',
  ],
  bank_card: [
    '卡号码',
    '银行卡号码',
    'card number',
    '卡号',
    '卡號',
    '银行卡',
    '銀行卡',
    '储蓄卡',
    '儲蓄卡',
    '信用卡',
    '借记卡',
    '借記卡',
    '扣款卡',
    '还款卡',
    '還款卡',
    '银联',
    '銀聯',
    '账号',
    '帳號',
    '账户',
    '帳戶',
    '收款',
    '打款',
    '退到',
    '退回到',
    '工资卡',
    '薪資卡',
    'card',
    'debit',
    'credit',
    'account no',
    'account number',
    'iban',
  ],
  passport: [
    '护照号码',
    '護照號碼',
    'passport number',
    '护照',
    '護照',
    '通行证',
    '通行證',
    '回乡证',
    '回鄉證',
    '台胞证',
    '台胞證',
    'passport',
    'travel permit',
    'permit',
  ],
  hk_id: ['香港身份證', '香港身份证', 'hkid', 'hk id', 'hong kong id', '身份證', '身份证'],
  tw_id: ['身分證', '身分证', '國民身分', '统一编号', '統一編號', 'taiwan id', '身份證'],
  email: ['邮箱', '郵箱', '电邮', '電郵', '邮件', '郵件', 'email', 'e-mail', 'mail'],
  address: ['地址', '住址', '寄到', '送到', '寄去', '送货', '送貨', '收货', '收貨', 'address', 'ship to', 'deliver to'],
  negative: [
    '订单号',
    '訂單號',
    '订单号码',
    '訂單號碼',
    '单号码',
    '單號碼',
    '发票号码',
    '發票號碼',
    '会员号码',
    '會員號碼',
    '会员卡号',
    '會員卡號',
    '序列号码',
    '礼品卡',
    '禮品卡',
    'gift card',
    '购物卡',
    '購物卡',
    '订单',
    '訂單',
    '单号',
    '單號',
    '运单',
    '運單',
    '快递',
    '快遞',
    '物流',
    '包裹',
    '追踪',
    '追蹤',
    '货运',
    '貨運',
    'tracking',
    'waybill',
    'order',
    'parcel',
    'shipment',
    '发票',
    '發票',
    'invoice',
    '税号',
    '稅號',
    '型号',
    '型號',
    '货号',
    '貨號',
    '款号',
    '款號',
    '编号',
    '編號',
    '批次',
    '批号',
    '批號',
    'sku',
    'model',
    'part',
    'serial',
    '序列号',
    '序列號',
    '序号',
    '序號',
    'sn',
    '工单',
    '工單',
    'ticket',
    'case',
    '流水',
    '交易号',
    '交易號',
    '交易单',
    'transaction',
    'reference',
    'ref',
    '会员号',
    '會員號',
    '会员卡',
    '會員卡',
    'member',
    '条码',
    '條碼',
    'barcode',
    '验证码',
    '驗證碼',
    '校验码',
    'code',
    '券',
    'coupon',
    '兑换码',
    '兌換碼',
    '申请号',
    '申請號',
    '预约号',
    '預約號',
    '取件码',
    '取件碼',
    '提货码',
    '提貨碼',
    '退款单',
    '退款單',
    '售后单',
    '售後單',
    '服务单',
    '服務單',
    'imei',
    '设备号',
    '設備號',
    '合同号',
    '合同號',
    '保单',
    '保單',
    'policy',
    '车牌',
    '航班',
    'flight',
    'booking',
    '预订号',
    '預訂號',
  ],
  amount: [
    '金额',
    '金額',
    '价格',
    '價格',
    '合计',
    '合計',
    '总计',
    '總計',
    '共计',
    '共計',
    '余额',
    '餘額',
    '花了',
    '付了',
    'amount',
    'total',
    'price',
    'paid',
    'refund of',
    '¥',
    '￥',
    '$',
    'rmb',
    'cny',
    'hkd',
    'usd',
    'nt$',
  ],
  date: ['日期', '时间', '時間', 'date', '生日', '出生'],
};

interface Keyword {
  text: string;
  kind: ContextKind;
}

const ALL: Keyword[] = Object.entries(KEYWORDS)
  .flatMap(([kind, words]) => words.map((text) => ({ text: text.toLowerCase(), kind: kind as ContextKind })))
  .sort((left, right) => right.text.length - left.text.length);

const ASCII_WORD = /^[a-z0-9]/;

/** Every keyword occurrence in `window`, as [endIndex, kind] (ASCII keywords on word edges). */
function occurrences(window: string): Array<{ end: number; length: number; kind: ContextKind }> {
  const lower = window.toLowerCase();
  const found: Array<{ end: number; length: number; kind: ContextKind }> = [];
  for (const keyword of ALL) {
    let from = 0;
    for (;;) {
      const at = lower.indexOf(keyword.text, from);
      if (at < 0) break;
      from = at + 1;
      if (ASCII_WORD.test(keyword.text)) {
        const before = lower[at - 1];
        if (before !== undefined && /[a-z]/.test(before)) continue;
        const after = lower[at + keyword.text.length];
        // English keywords may take a plural or an -ed/-ing ending, nothing longer.
        const rest = lower.slice(at + keyword.text.length).match(/^[a-z]*/)?.[0] ?? '';
        if (after !== undefined && rest.length > 0 && !/^(s|es|ed|ing|er|ers)$/.test(rest)) continue;
      }
      found.push({ end: at + keyword.text.length, length: keyword.text.length, kind: keyword.kind });
    }
  }
  return found;
}

/** The kind of the keyword nearest the end of `window` (longest on ties), or null. */
export function nearestContext(window: string): ContextKind | null {
  let best: { end: number; length: number; kind: ContextKind } | null = null;
  for (const occurrence of occurrences(window)) {
    if (best === null || occurrence.end > best.end || (occurrence.end === best.end && occurrence.length > best.length))
      best = occurrence;
  }
  return best?.kind ?? null;
}

/** Every kind mentioned in `window`. */
export function contextKinds(window: string): Set<ContextKind> {
  return new Set(occurrences(window).map((occurrence) => occurrence.kind));
}
