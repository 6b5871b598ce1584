import type { FoldedMatch } from './numbers.js';

// Characters that end a place name: function words, pronouns and verbs around an address
// (「我住在」「寄到」「地址是」), and the level suffixes themselves, so 北京市朝阳区 reads as two parts.
const STOP =
  '我你您他她它的是在住到寄送发發去来來把给給请請帮幫址和与與及或了吗嗎呢吧啊呀哦要想能可以将將让讓被从從向往于於为為这這那个個些么麼什谁誰哪也都还還就又很太再已经經过過有没沒不用换換改填写寫收货貨件人电電话話手机機号號码碼省市区區县縣路街道';
const NAME_CLASS = `[^\\P{Script=Han}${STOP}]`;
const DIGITS = '[0-9]';
const CN_NUMBER = '[一二三四五六七八九十百零〇]';

interface Segment {
  kind: 'province' | 'city' | 'district' | 'road' | 'number' | 'landmark' | 'room';
  pattern: RegExp;
}

function sticky(source: string): RegExp {
  return new RegExp(source, 'uy');
}

const SEGMENTS: Segment[] = [
  {
    kind: 'province',
    pattern: sticky(
      `(?:${NAME_CLASS}{2,7}(?:省|自治区|自治區|特别行政区|特別行政區)|(?:北京|上海|天津|重庆|重慶)市?|香港|澳门|澳門|台湾省?|臺灣|台灣)`,
    ),
  },
  { kind: 'city', pattern: sticky(`${NAME_CLASS}{1,7}(?:市|地区|地區|州|盟)`) },
  { kind: 'district', pattern: sticky(`${NAME_CLASS}{1,7}(?:新区|新區|区|區|县|縣|旗|镇|鎮|乡|鄉|街道)`) },
  {
    kind: 'road',
    pattern: sticky(
      `(?:${NAME_CLASS}|${DIGITS}){1,10}(?:大道|大街|路|街|道|巷|弄|胡同|里|村|屯|组|組|社区|社區)(?:${CN_NUMBER}{1,3}段|${DIGITS}{1,2}段)?`,
    ),
  },
  {
    kind: 'landmark',
    pattern: sticky(
      `(?:${NAME_CLASS}|[A-Za-z0-9]){2,12}?(?:小区|小區|花园|花園|公寓|大厦|大廈|广场|廣場|中心|苑|庭|府|城|园|園|新村|家园|家園|公馆|公館|大楼|大樓|商场|商場|宿舍|院|山庄|山莊|酒店|医院|醫院|学校|學校|大学|大學|写字楼|寫字樓|工业园|工業園|科技园|科技園|村委会|大院|邨|苑|閣|阁|中心)`,
    ),
  },
  {
    kind: 'number',
    pattern: sticky(
      `(?:(?:${DIGITS}{1,5}(?:[-之]${DIGITS}{1,4})?|${CN_NUMBER}{1,3}|[A-Za-z])(?:号院|號院|号楼|號樓|号|號|弄|巷|栋|棟|幢|座|楼|樓|单元|單元|层|層|室|房|户|戶|门|門|铺|舖|期|区|區|F|f|/F|段|排|组|組))`,
    ),
  },
  { kind: 'room', pattern: sticky(`(?:${DIGITS}{1,2}-){0,2}${DIGITS}{2,5}(?![0-9])`) },
];

const FINE = new Set<Segment['kind']>(['road', 'number', 'landmark', 'room']);

function segmentAt(
  text: string,
  position: number,
  previous: Segment['kind'] | null,
): { kind: Segment['kind']; end: number } | null {
  let best: { kind: Segment['kind']; end: number } | null = null;
  for (const segment of SEGMENTS) {
    // A bare number (501) only continues a building or house number: 3栋2单元501.
    if (segment.kind === 'room' && previous !== 'number' && previous !== 'landmark' && previous !== 'road') continue;
    segment.pattern.lastIndex = position;
    const match = segment.pattern.exec(text);
    if (match && (best === null || position + match[0].length > best.end))
      best = { kind: segment.kind, end: position + match[0].length };
  }
  return best;
}

const REGIONS =
  '北京|上海|天津|重庆|重慶|河北|山西|辽宁|遼寧|吉林|黑龙江|黑龍江|江苏|江蘇|浙江|安徽|福建|江西|山东|山東|河南|湖北|湖南|广东|廣東|海南|四川|贵州|貴州|云南|雲南|陕西|陝西|甘肃|甘肅|青海|台湾|臺灣|台灣|内蒙古|廣西|广西|西藏|宁夏|寧夏|新疆|香港|澳门|澳門|臺北|台北|新北|高雄|臺中|台中|九龍|九龙|新界|深圳|广州|廣州|杭州|成都|武汉|武漢|南京|西安|苏州|蘇州';
const LEADING_REGION = new RegExp(`^\\p{Script=Han}{0,2}?(?=(?:${REGIONS}))`, 'u');
const STARTS_WITH_REGION = new RegExp(`^(?:${REGIONS})`, 'u');

const HAN_OR_DIGIT = /[\p{Script=Han}0-9A-Za-z]/u;

function findChineseAddresses(text: string): FoldedMatch[] {
  const matches: FoldedMatch[] = [];
  let position = 0;
  while (position < text.length) {
    if (!HAN_OR_DIGIT.test(text[position])) {
      position += 1;
      continue;
    }
    const kinds: Segment['kind'][] = [];
    let end = position;
    // An address has a dozen parts at most; the cap keeps a pathological run linear.
    while (kinds.length < 12) {
      let next = end;
      if (kinds.length > 0 && text[next] === ' ' && HAN_OR_DIGIT.test(text[next + 1] ?? '')) next += 1;
      const segment = segmentAt(text, next, kinds[kinds.length - 1] ?? null);
      if (!segment) break;
      kinds.push(segment.kind);
      end = segment.end;
    }
    const fine = kinds.some((kind) => FINE.has(kind));
    const hasNumber = kinds.some((kind) => kind === 'number' || kind === 'room');
    const admin = kinds.filter((kind) => kind === 'province' || kind === 'city' || kind === 'district').length;
    if (kinds.length >= 2 && fine && (hasNumber || admin >= 1 || kinds.filter((kind) => FINE.has(kind)).length >= 2)) {
      // 「改成北京市…」: a verb's last character glued to a province name is not part of the address.
      const lead = STARTS_WITH_REGION.test(text.slice(position, position + 4))
        ? null
        : LEADING_REGION.exec(text.slice(position + 1, position + 8));
      const start = lead ? position + 1 + lead[0].length : position;
      matches.push({ start, end, type: 'address', score: hasNumber ? 0.9 : 0.7 });
      position = end;
    } else position += 1;
  }
  return matches;
}

const STREET_SUFFIX =
  'Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Highway|Hwy|Parkway|Pkwy|Square|Sq|Circle|Cir|Crescent|Close|Walk|Row|Alley|Hutong|Lu|Jie|Dadao';
const UNIT =
  '(?:Flat|Apt|Apartment|Suite|Ste|Unit|Room|Rm|Floor|Fl|Block|Blk|Tower|Building|Bldg)\\.?\\s*#?[A-Za-z0-9-]+';
const FLOOR = '\\d{1,3}\\/F';
const PLACE = "[A-Z][A-Za-z'.-]+(?:\\s[A-Z][A-Za-z'.-]+){0,3}(?:\\s+\\d{5}(?:-\\d{4})?)?";
const ENGLISH_ADDRESS = new RegExp(
  `(?<![A-Za-z0-9])(?:(?:${UNIT}|${FLOOR}),?\\s+){0,3}(?:No\\.?\\s*)?\\d{1,6}[A-Za-z]?(?:[-/]\\d{1,4})?,?\\s+(?:[A-Z][A-Za-z'.-]*\\s+){0,4}(?:${STREET_SUFFIX})\\b\\.?` +
    `(?:,?\\s*(?:${UNIT}|${FLOOR}))*(?:,\\s*${PLACE}){0,4}(?:,?\\s*[A-Z]{2}\\s+\\d{5}(?:-\\d{4})?|,?\\s*\\d{6}(?![0-9]))?` +
    `|(?<![A-Za-z0-9])(?:[A-Z][A-Za-z'.-]*\\s+){1,4}(?:${STREET_SUFFIX})\\b\\.?,?\\s+No\\.?\\s*\\d{1,6}(?:,\\s*${PLACE}){0,4}` +
    // One-word streets: 75 Queensway, 1 Broadway.
    `|(?<![A-Za-z0-9])\\d{1,5}[A-Za-z]?\\s+[A-Z][a-z]+(?:way|gate|side)\\b(?:,\\s*${PLACE}){0,3}`,
  'g',
);

function findEnglishAddresses(text: string): FoldedMatch[] {
  const matches: FoldedMatch[] = [];
  for (const match of text.matchAll(ENGLISH_ADDRESS)) {
    let value = match[0];
    // A trailing ", Thanks" or ", Please" is not part of the address.
    value = value.replace(/,\s*(?:Thanks|Thank|Please|Cheers|Regards|Best|Call|Phone|Tel|Email|My|I|It|The)\b.*$/s, '');
    matches.push({ start: match.index, end: match.index + value.length, type: 'address', score: 0.85 });
  }
  return matches;
}

/** Chinese (Simplified and Traditional) and English street addresses in folded text. */
export function findAddresses(text: string): FoldedMatch[] {
  return [...findChineseAddresses(text), ...findEnglishAddresses(text)];
}
