// A seeded generator of labelled customer-service messages with personal data and hard negatives,
// for `bench:pii`. It builds each value from its own formula (check digits computed here, formats
// chosen at random) and writes the sentences from its own phrase lists; the hand-written set in
// __fixtures__/ is the check that the recognisers do not just mirror it.
import { hongKongIdCheckCharacter, luhnCheckDigit, residentIdCheckCharacter, taiwanIdCheckDigit } from './checksums.js';
import type { PiiRow } from './evaluate.js';
import type { PiiType } from './types.js';

type Random = () => number;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const digits = (random: Random, count: number) =>
  Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
const between = (random: Random, low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const fullWidth = (text: string) =>
  text.replace(/[0-9A-Za-z@.+\-()]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

function group(text: string, sizes: number[], separator: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    parts.push(text.slice(at, at + size));
    at += size;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts.filter((part) => part.length > 0).join(separator);
}

const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '145',
  '147',
  '150',
  '151',
  '152',
  '153',
  '155',
  '156',
  '157',
  '158',
  '159',
  '162',
  '166',
  '167',
  '170',
  '173',
  '175',
  '176',
  '177',
  '178',
  '180',
  '181',
  '182',
  '183',
  '185',
  '186',
  '187',
  '188',
  '189',
  '191',
  '193',
  '195',
  '198',
  '199',
];

function mobile(random: Random): string {
  const number = pick(random, MOBILE_PREFIXES) + digits(random, 8);
  switch (between(random, 0, 9)) {
    case 0:
      return group(number, [3, 4, 4], ' ');
    case 1:
      return group(number, [3, 4, 4], '-');
    case 2:
      return `+86 ${number}`;
    case 3:
      return `+86 ${group(number, [3, 4, 4], ' ')}`;
    case 4:
      return `0086-${number}`;
    case 5:
      return fullWidth(number);
    case 6:
      return `+86-${group(number, [3, 4, 4], '-')}`;
    default:
      return number;
  }
}

const AREA_CODES = [
  '010',
  '020',
  '021',
  '022',
  '023',
  '024',
  '025',
  '027',
  '028',
  '029',
  '0311',
  '0351',
  '0371',
  '0411',
  '0431',
  '0451',
  '0512',
  '0531',
  '0532',
  '0551',
  '0571',
  '0574',
  '0591',
  '0592',
  '0731',
  '0755',
  '0757',
  '0769',
  '0771',
  '0791',
  '0851',
  '0871',
  '0898',
  '0931',
  '0991',
];

function landlineNumber(random: Random): string {
  const area = pick(random, AREA_CODES);
  const local = String(between(random, 2, 8)) + digits(random, area.length === 3 ? 7 : between(random, 6, 7));
  const extension =
    random() < 0.2
      ? pick(random, [` 转${digits(random, 3)}`, `-${digits(random, 3)}`, ` ext. ${digits(random, 4)}`])
      : '';
  switch (between(random, 0, 5)) {
    case 0:
      return `(${area}) ${group(local, [4], ' ')}${extension}`;
    case 1:
      return `${area} ${group(local, [local.length - 4], ' ')}${extension}`;
    case 2:
      return `+86 ${area.slice(1)} ${local}`;
    case 3:
      return `（${area}）${local}`;
    default:
      return `${area}-${local}${extension}`;
  }
}

const REGIONS = [
  '110101',
  '110105',
  '310104',
  '310115',
  '440305',
  '440106',
  '330106',
  '510104',
  '420102',
  '320102',
  '370102',
  '610113',
  '500103',
  '120101',
  '210102',
  '230102',
  '350203',
  '410105',
  '430102',
  '450103',
  '530102',
  '620102',
  '650102',
  '360102',
  '340104',
  '460105',
  '520102',
  '130102',
  '140105',
  '150102',
];

function residentId(random: Random): string {
  if (random() < 0.12) {
    const body =
      pick(random, REGIONS) +
      pad(between(random, 40, 98)) +
      pad(between(random, 1, 12)) +
      pad(between(random, 1, 28)) +
      digits(random, 3);
    return body;
  }
  const body =
    pick(random, REGIONS) +
    between(random, 1950, 2006) +
    pad(between(random, 1, 12)) +
    pad(between(random, 1, 28)) +
    digits(random, 3);
  let id = body + residentIdCheckCharacter(body);
  if (id.endsWith('X') && random() < 0.3) id = `${id.slice(0, 17)}x`;
  const style = between(random, 0, 7);
  if (style === 0) return group(id, [6, 8], ' ');
  if (style === 1) return fullWidth(id);
  return id;
}

const BINS = [
  '622202',
  '622848',
  '621700',
  '622588',
  '621483',
  '623668',
  '436742',
  '427020',
  '518710',
  '625965',
  '620522',
  '622700',
  '621226',
  '622609',
  '403391',
  '524047',
  '356833',
];

function bankCard(random: Random): string {
  const length = pick(random, [16, 16, 19, 19, 17, 18]);
  const partial = pick(random, BINS) + digits(random, length - 7);
  const card = partial + luhnCheckDigit(partial);
  switch (between(random, 0, 4)) {
    case 0:
      return group(card, [4, 4, 4, 4], ' ');
    case 1:
      return group(card, [4, 4, 4, 4], '-');
    case 2:
      return fullWidth(card);
    default:
      return card;
  }
}

const USERS = [
  'zhangwei',
  'li.na',
  'wang_fang88',
  'chen.jie',
  'liuyang2019',
  'amy.wong',
  'tom_lee',
  'xiaoming.huang',
  'sunny1990',
  'kevin.zhou',
  'hui.lin',
  'ming.chan',
  'j.smith',
  'emma.brown',
  'dawei.wu',
  'yuki2024',
];
const DOMAINS = [
  'qq.com',
  '163.com',
  '126.com',
  'gmail.com',
  'outlook.com',
  'foxmail.com',
  'sina.com',
  'yahoo.com.hk',
  'hotmail.com',
  'company.com.cn',
  'example.org',
  'mail.ntu.edu.tw',
];

function email(random: Random): string {
  const user =
    random() < 0.3
      ? digits(random, between(random, 6, 10)).replace(/^0/, '1')
      : pick(random, USERS) + (random() < 0.4 ? digits(random, 2) : '');
  return `${user}@${pick(random, DOMAINS)}`;
}

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

function passport(random: Random): string {
  switch (between(random, 0, 4)) {
    case 0:
      return `E${digits(random, 8)}`;
    case 1:
      return `E${pick(random, [...LETTERS])}${digits(random, 7)}`;
    case 2:
      return `G${digits(random, 8)}`;
    case 3:
      return `C${digits(random, 8)}`;
    default:
      return `W${digits(random, 8)}`;
  }
}

function hongKongId(random: Random): string {
  const letters = random() < 0.85 ? pick(random, [...'ACDEGHKMPRVWYZ']) : pick(random, ['XA', 'WX', 'XD']);
  const body = digits(random, 6);
  const check = hongKongIdCheckCharacter(letters, body);
  return random() < 0.7
    ? `${letters}${body}(${check})`
    : random() < 0.5
      ? `${letters}${body}${check}`
      : `${letters}${body}（${check}）`;
}

function taiwanId(random: Random): string {
  const first9 = pick(random, [...'ABCDEFGHJKLMNPQRSTUVXYWZIO']) + pick(random, ['1', '2']) + digits(random, 7);
  return first9 + taiwanIdCheckDigit(first9);
}

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '郑',
  '梁',
  '谢',
  '唐',
  '许',
  '韩',
  '冯',
  '邓',
  '曹',
  '彭',
  '曾',
  '欧阳',
  '司马',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
  '平',
  '刚',
  '桂英',
  '小红',
  '建国',
  '志强',
  '婷婷',
  '思远',
  '子涵',
  '浩然',
  '雨桐',
  '一鸣',
];
const TRAD_SURNAMES = ['陳', '林', '黃', '張', '李', '王', '吳', '劉', '蔡', '楊', '許', '鄭', '謝', '郭', '洪'];
const TRAD_GIVEN = ['大文', '美玲', '志明', '淑芬', '家豪', '怡君', '建宏', '雅婷', '俊傑', '佩珊', '偉', '嘉欣'];
const FIRST = [
  'John',
  'Emily',
  'Michael',
  'Sarah',
  'David',
  'Jessica',
  'Daniel',
  'Laura',
  'Kevin',
  'Amy',
  'Wei',
  'Ming',
  'Grace',
  'Peter',
  'Olivia',
];
const LAST = [
  'Smith',
  'Johnson',
  'Brown',
  'Wong',
  'Chan',
  'Lee',
  'Zhang',
  'Taylor',
  'Miller',
  'Garcia',
  'Lam',
  'Cheung',
  'Davis',
  'Wilson',
];

function name(random: Random, language: Language): string {
  if (language === 'en') return `${pick(random, FIRST)} ${pick(random, LAST)}`;
  if (language === 'hant') return pick(random, TRAD_SURNAMES) + pick(random, TRAD_GIVEN);
  return pick(random, SURNAMES) + pick(random, GIVEN);
}

const PROVINCES: Array<[string, string[], string[]]> = [
  ['北京市', ['朝阳区', '海淀区', '东城区', '丰台区'], ['建国路', '中关村大街', '望京西路', '学院路']],
  ['上海市', ['浦东新区', '徐汇区', '静安区', '闵行区'], ['世纪大道', '漕溪北路', '南京西路', '七莘路']],
  ['广东省深圳市', ['南山区', '福田区', '宝安区'], ['科技园南路', '深南大道', '新安六路']],
  ['广东省广州市', ['天河区', '越秀区', '番禺区'], ['天河路', '中山五路', '市桥大道']],
  ['浙江省杭州市', ['西湖区', '余杭区', '滨江区'], ['文三路', '文一西路', '江南大道']],
  ['四川省成都市', ['武侯区', '锦江区', '高新区'], ['人民南路', '春熙路', '天府大道']],
  ['江苏省南京市', ['鼓楼区', '玄武区'], ['中山北路', '北京东路']],
  ['湖北省武汉市', ['洪山区', '江汉区'], ['珞喻路', '解放大道']],
];
const COMPOUNDS = ['阳光花园', '万科城', '碧桂园', '幸福小区', '金地名苑', '翠湖公寓', '华润大厦', '银泰中心'];
const TAIWAN: Array<[string, string[], string[]]> = [
  ['臺北市', ['大安區', '信義區', '中山區'], ['忠孝東路四段', '信義路五段', '南京東路三段']],
  ['新北市', ['板橋區', '新莊區'], ['文化路一段', '中正路']],
  ['高雄市', ['前鎮區', '苓雅區'], ['中華五路', '四維三路']],
  ['臺中市', ['西屯區', '北區'], ['臺灣大道三段', '三民路']],
];
const HONG_KONG = ['九龍旺角彌敦道', '香港灣仔軒尼詩道', '新界沙田大圍道', '香港中環皇后大道中', '九龍觀塘道'];
const STREETS = [
  'Main Street',
  'Oak Avenue',
  'Maple Road',
  'Park Lane',
  'Sunset Boulevard',
  'Nathan Road',
  'Queens Road',
  'Elm Drive',
  'Jianguo Road',
  'Century Avenue',
];
const CITIES = [
  'Springfield, IL 62704',
  'Seattle, WA 98101',
  'Austin, TX 73301',
  'Kowloon, Hong Kong',
  'Chaoyang District, Beijing',
  'Pudong, Shanghai 200120',
  'London',
];

function address(random: Random, language: Language): string {
  if (language === 'en') {
    const unit =
      random() < 0.4
        ? `${pick(random, ['Apt', 'Flat', 'Room', 'Suite', 'Unit'])} ${between(random, 1, 30)}${pick(random, ['', 'A', 'B'])}, `
        : '';
    return `${unit}${between(random, 1, 9999)} ${pick(random, STREETS)}, ${pick(random, CITIES)}`;
  }
  if (language === 'hant') {
    if (random() < 0.35)
      return `${pick(random, HONG_KONG)}${between(random, 1, 300)}號${between(random, 2, 30)}樓${pick(random, ['A', 'B', 'C', 'D'])}室`;
    const [city, districts, roads] = pick(random, TAIWAN);
    return `${city}${pick(random, districts)}${pick(random, roads)}${between(random, 1, 400)}號${random() < 0.6 ? `${between(random, 2, 20)}樓` : ''}`;
  }
  const [province, districts, roads] = pick(random, PROVINCES);
  const prefix = random() < 0.8 ? province : '';
  const road = `${pick(random, districts)}${pick(random, roads)}${between(random, 1, 999)}号`;
  const building =
    random() < 0.5
      ? `${pick(random, COMPOUNDS)}${between(random, 1, 30)}栋${between(random, 1, 6)}单元${between(random, 1, 33)}0${between(random, 1, 4)}室`
      : random() < 0.5
        ? `${between(random, 1, 20)}号楼${between(random, 101, 2505)}`
        : '';
  return prefix + road + building;
}

type Language = 'hans' | 'hant' | 'en';

/** Sentence frames per type and language; `{}` is the value. */
const FRAMES: Record<PiiType, Record<Language, string[]>> = {
  phone: {
    hans: [
      '我的手机号是{}',
      '手机：{}',
      '有问题打我电话{}',
      '联系电话 {}',
      '麻烦让快递员打{}',
      '新手机号{}，旧的不用了',
      '电话{}（白天都在）',
    ],
    hant: ['我的手機是{}', '請打這支電話 {}', '聯絡電話：{}', '手機號碼{}，謝謝'],
    en: ['my phone number is {}', 'call me at {}', 'mobile: {}', 'you can reach me on {}', 'text me at {}'],
  },
  landline: {
    hans: ['座机{}', '公司电话是{}', '白天打办公电话 {}', '家里座机：{}'],
    hant: ['公司電話 {}', '市話{}', '辦公室電話是{}'],
    en: ['office line {}', 'landline: {}', 'call our office at {}'],
  },
  id_card: {
    hans: ['身份证号{}', '我的身份证是 {}', '证件号码：{}', '实名认证用的身份证{}'],
    hant: ['身份證號碼 {}', '證件號{}'],
    en: ['my ID card number is {}', 'Chinese ID: {}', 'resident ID {}'],
  },
  bank_card: {
    hans: ['银行卡号{}', '退款请打到这张卡：{}', '我的储蓄卡 {}', '扣款卡号是{}', '信用卡{}被扣了两次'],
    hant: ['銀行卡號 {}', '請退到我的信用卡{}', '卡號：{}'],
    en: ['card number {}', 'please refund to my card {}', 'my debit card is {}'],
  },
  email: {
    hans: ['邮箱{}', '发票请发到{}', '我的邮箱是 {}'],
    hant: ['電郵：{}', '請寄到我的信箱 {}'],
    en: ['email me at {}', 'my email is {}', 'send the invoice to {}'],
  },
  passport: {
    hans: ['护照号{}', '港澳通行证 {}', '我的护照是{}', '证件：{}'],
    hant: ['護照號碼{}', '通行證 {}'],
    en: ['passport no. {}', 'my passport number is {}'],
  },
  hk_id: {
    hans: ['香港身份证{}', '身份证号码 {}'],
    hant: ['香港身份證號碼是{}', '身份證 {}', 'HKID：{}'],
    en: ['HKID {}', 'my Hong Kong ID is {}'],
  },
  tw_id: {
    hans: ['台湾身份证号{}', '身份证：{}'],
    hant: ['身分證字號{}', '我的身分證是 {}', '統一編號 {}'],
    en: ['Taiwan ID {}', 'my national ID is {}'],
  },
  address: {
    hans: ['收货地址：{}', '寄到{}', '我住在{}', '地址改成{}', '送货地址 {}'],
    hant: ['請寄到{}', '地址：{}', '我住{}'],
    en: ['ship it to {}', 'my address is {}', 'deliver to {}'],
  },
  name: {
    hans: ['我叫{}', '收件人{}', '联系人：{}', '收货人 {}'],
    hant: ['我叫{}', '收件人：{}', '聯絡人{}'],
    en: ['my name is {}', 'recipient: {}', 'this is {}, '],
  },
};

const OPENERS: Record<Language, string[]> = {
  hans: ['你好，', '您好！', '客服你好，', '', '在吗？', '急！', '麻烦帮我看一下，'],
  hant: ['你好，', '您好，', '', '請問一下，', '不好意思，'],
  en: ['Hi, ', 'Hello, ', '', 'Hey there. ', 'Good morning, '],
};
const JOINERS: Record<Language, string[]> = {
  hans: ['，', '。', '；', ' ', '，另外'],
  hant: ['，', '。', '；', ' '],
  en: [', ', '. ', '; ', ' and '],
};
const CLOSERS: Record<Language, string[]> = {
  hans: ['', '，谢谢', '。', '，尽快处理', '，麻烦了'],
  hant: ['', '，謝謝', '。', '，麻煩了'],
  en: ['', ', thanks', '.', '. Please help asap.'],
};

/** Hard negatives: identifiers and numbers that look like personal data but are not. */
function negative(random: Random, language: Language): string {
  const order = () => {
    const body = `${between(random, 2023, 2025)}${pad(between(random, 1, 12))}${pad(between(random, 1, 28))}${digits(random, between(random, 8, 11))}`;
    return random() < 0.5 ? body : body.slice(0, -1) + luhnCheckDigit(body.slice(0, -1));
  };
  const tracking = () =>
    pick(random, [
      `SF${digits(random, 12)}`,
      `SF${digits(random, 13)}`,
      `JD${digits(random, 13)}`,
      `JDVA${digits(random, 11)}`,
      `YT${digits(random, 13)}`,
      `75${digits(random, 12)}`,
      `43${digits(random, 11)}`,
      `7${digits(random, 11)}`,
      `EA${digits(random, 9)}CN`,
      `ZTO${digits(random, 12)}`,
    ]);
  const hans = [
    () => `订单号${order()}`,
    () => `订单编号：${order()}`,
    () => `快递单号 ${tracking()}`,
    () => `顺丰单号${tracking()}`,
    () => `运单号：${tracking()}`,
    () => `金额¥${between(random, 10, 99999)}.${pad(between(random, 0, 99))}`,
    () => `一共付了${between(random, 1000, 13800000)}元`,
    () => `${between(random, 2023, 2025)}-${pad(between(random, 1, 12))}-${pad(between(random, 1, 28))}下的单`,
    () => `${between(random, 2023, 2025)}年${between(random, 1, 12)}月${between(random, 1, 28)}日到货`,
    () => `型号 KF-${digits(random, 8)}`,
    () => `货号${digits(random, 11)}`,
    () => `SKU ${pick(random, MOBILE_PREFIXES)}${digits(random, 8)}`,
    () => `发票号码${digits(random, 8)}`,
    () => `发票代码 0${digits(random, 11)}`,
    () => `验证码${digits(random, 6)}`,
    () => `工单号 ${digits(random, 14)}`,
    () => `会员卡号${digits(random, 16)}`,
    () => `我是会员`,
    () => `买了${between(random, 2, 20)}件`,
    () => `客服热线400-${digits(random, 3)}-${digits(random, 4)}`,
  ];
  const hant = [
    () => `訂單編號${order()}`,
    () => `物流單號：${tracking()}`,
    () => `金額NT$${between(random, 100, 99999)}`,
    () => `${between(random, 2023, 2025)}/${pad(between(random, 1, 12))}/${pad(between(random, 1, 28))}訂購`,
    () => `型號 ${pick(random, ['TX', 'HK', 'AB'])}-${digits(random, 7)}`,
    () => `發票號碼 ${pick(random, ['AB', 'QZ', 'MK'])}-${digits(random, 8)}`,
  ];
  const english = [
    () => `order #${order()}`,
    () => `order number ${order()}`,
    () => `tracking number ${tracking()}`,
    () => `I paid $${between(random, 10, 9999)}.${pad(between(random, 0, 99))}`,
    () => `delivered on ${between(random, 2023, 2025)}-${pad(between(random, 1, 12))}-${pad(between(random, 1, 28))}`,
    () => `model no. ${pick(random, ['X', 'KF', 'GT'])}${digits(random, 9)}`,
    () => `invoice ${digits(random, 12)}`,
    () => `ticket ${digits(random, 13)}`,
    () => 'I am really upset',
  ];
  return pick(random, language === 'hans' ? hans : language === 'hant' ? hant : english)();
}

const VALUE: Record<PiiType, (random: Random, language: Language) => string> = {
  phone: (random, language) =>
    language === 'hant' && random() < 0.3
      ? `09${digits(random, 2)}-${digits(random, 3)}-${digits(random, 3)}`
      : mobile(random),
  landline: landlineNumber,
  id_card: residentId,
  bank_card: bankCard,
  email,
  passport,
  hk_id: hongKongId,
  tw_id: taiwanId,
  address,
  name,
};

const WEIGHTS: Array<[PiiType, number]> = [
  ['phone', 22],
  ['landline', 7],
  ['id_card', 12],
  ['bank_card', 12],
  ['email', 8],
  ['passport', 6],
  ['hk_id', 5],
  ['tw_id', 5],
  ['address', 12],
  ['name', 11],
];

function weightedType(random: Random): PiiType {
  let roll = random() * WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [type, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return type;
  }
  return 'phone';
}

/**
 * `count` labelled rows: each a message in Simplified or Traditional Chinese, English or a mix,
 * with zero to four items of personal data and up to two hard negatives, in random order.
 */
export function generatePiiRows(count: number, seed = 20261211): PiiRow[] {
  const random = seededRandom(seed);
  const rows: PiiRow[] = [];
  for (let index = 0; index < count; index += 1) {
    const language: Language = pick(random, ['hans', 'hans', 'hans', 'hant', 'en', 'en']);
    const mixed = random() < 0.15;
    const items = random() < 0.12 ? 0 : between(random, 1, 4);
    const negatives = between(random, 0, 2) + (items === 0 ? 1 : 0);
    const clauses: Array<{ frame: string; value: string; type: PiiType | null }> = [];
    for (let item = 0; item < items; item += 1) {
      const type = weightedType(random);
      const clauseLanguage: Language = mixed && random() < 0.5 ? (language === 'en' ? 'hans' : 'en') : language;
      const valueLanguage: Language = type === 'address' || type === 'name' ? clauseLanguage : language;
      clauses.push({
        frame: pick(random, FRAMES[type][clauseLanguage]),
        value: VALUE[type](random, valueLanguage),
        type,
      });
    }
    for (let item = 0; item < negatives; item += 1)
      clauses.push({ frame: '{}', value: negative(random, language), type: null });
    for (let at = clauses.length - 1; at > 0; at -= 1) {
      const other = Math.floor(random() * (at + 1));
      [clauses[at], clauses[other]] = [clauses[other], clauses[at]];
    }
    let text = pick(random, OPENERS[language]);
    const spans: PiiRow['spans'] = [];
    clauses.forEach((clause, position) => {
      if (position > 0) text += pick(random, JOINERS[language]);
      const [before, after] = clause.frame.split('{}');
      text += before;
      if (clause.type) spans.push({ start: text.length, end: text.length + clause.value.length, type: clause.type });
      text += clause.value + after;
    });
    text += pick(random, CLOSERS[language]);
    rows.push({ text, spans });
  }
  return rows;
}
