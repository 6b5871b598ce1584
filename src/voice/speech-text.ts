import { toTraditionalChinese } from '../text/index.js';
import {
  dateToChinese,
  dateToEnglish,
  decimalToChinese,
  decimalToEnglish,
  digitsToChinese,
  digitsToEnglish,
  integerToChinese,
  integerToEnglish,
  yuanToChinese,
  yuanToEnglish,
} from './spoken-numbers.js';

/** The languages a call is spoken in. zh-HK is Cantonese-read Traditional Chinese. */
export type VoiceLanguage = 'zh-CN' | 'zh-HK' | 'en';

export interface SpeechTextOptions {
  /** Longest spoken reply in characters (Chinese) or 2.5× that (English); cut at a sentence end. */
  maxChars?: number;
}

const DEFAULT_MAX_CHARS = 160;

/** Any emoji or pictograph, with its joiners, variation selectors and skin tones. */
const EMOJI = /(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier}|\uFE0F|\u200D|\u20E3)+/gu;

/**
 * Text written for the screen → text written for the ear: no markdown, links or emoji; amounts,
 * dates, percentages, phone and order numbers spelled as a synthesiser should say them; long
 * replies cut at a sentence end. Pure and deterministic.
 *
 * @example
 * toSpeechText('退款 **¥1,079.20** 已提交', 'zh-CN') // '退款一千零七十九元二角已提交'
 */
export function toSpeechText(text: string, language: VoiceLanguage, options: SpeechTextOptions = {}): string {
  let out = stripMarkup(text);
  out = language === 'en' ? speakEnglish(out) : speakChinese(out);
  out = tidy(out, language);
  out = shorten(out, language, options.maxChars ?? DEFAULT_MAX_CHARS);
  return language === 'zh-HK' ? toTraditionalChinese(out, 'hk') : out;
}

/** Markdown, HTML, links and emoji removed; list items and lines joined into sentences. */
export function stripMarkup(text: string): string {
  let out = text.replace(/\r\n?/g, '\n');
  out = out.replace(/```[\s\S]*?```/g, ' ');
  out = out.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1');
  out = out.replace(/\[([^\]]+)\]\((?:[^)(]|\([^)]*\))*\)/g, '$1');
  out = out.replace(/<\/?[a-zA-Z][^>]*>/g, ' ');
  out = out.replace(/\b(?:https?:\/\/|www\.)[^\s<>()（）\u3000-\u303F\uFF00-\uFFEF\u4E00-\u9FFF]+/gi, '');
  out = out.replace(/\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g, (email) => email.replace(/@/, ' at ').replace(/\./g, ' dot '));
  // An emoji between two phrases was their separator: a pause is kept in its place.
  out = out.replace(EMOJI, '\u2060');
  out = out.replace(/(?<=[\u4E00-\u9FFF])\s*\u2060+\s*(?=[\u4E00-\u9FFF])/g, '，').replace(/\u2060/g, '');
  out = out.replace(/^\s{0,3}#{1,6}\s*/gm, '');
  out = out.replace(/^\s*>\s?/gm, '');
  out = out.replace(/^\s*(?:[-*+•·]|\d{1,2}[.)、])\s+/gm, '');
  out = out.replace(/^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*$/gm, '');
  out = out.replace(/\s*\|\s*/g, '，');
  out = out.replace(/(\*\*|__)(.+?)\1/g, '$2').replace(/(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])/g, '$1');
  out = out.replace(/`([^`]*)`/g, '$1').replace(/~~(.+?)~~/g, '$1');
  out = out.replace(/[*#`~]+/g, '');
  // Lines become sentences: a line without its own end punctuation gets one.
  out = out
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => (/[。！？!?.;；：:，,]$/.test(line) ? line : `${line}${/[\u4E00-\u9FFF]/.test(line) ? '。' : '.'}`))
    .join(' ');
  return out.replace(/[ \t]+/g, ' ').trim();
}

const CURRENCY_BEFORE = /(?:[¥￥]|RMB\s?|CNY\s?|人民币\s?)(\d[\d,]*(?:\.\d+)?)(\s?元)?/gi;
const CURRENCY_AFTER = /(\d[\d,]*(?:\.\d+)?)\s?(?:元|塊|块|yuan\b|RMB\b|CNY\b)/gi;
/** Mainland mobiles, 400/800 lines and landlines with area codes; +86 optional. */
const PHONE =
  /(?<![\w.])(?:\+?86[\s-]?)?(?:1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|[48]00[\s-]?\d{3}[\s-]?\d{4}|0\d{2,3}[\s-]\d{7,8})(?!\w|\.\d)/g;
/** Order, ticket and tracking numbers: letters and digits together, at least 6 long. */
const CODE = /(?<![\w])(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]{5,}(?![\w])/g;
const ISO_DATE = /(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/g;
const ZH_DATE = /(?:(\d{4})\s?年\s?)?(\d{1,2})\s?月\s?(\d{1,2})\s?[日号號]/g;
const TIME = /(?<!\d)([01]?\d|2[0-3]):([0-5]\d)(?!\d)/g;

function validDate(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function speakChinese(input: string): string {
  let out = input;
  out = out.replace(PHONE, (phone) => digitsToChinese(phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '')));
  out = out.replace(CODE, (code) => spellCode(code, 'zh'));
  out = out.replace(ISO_DATE, (whole, year: string, month: string, day: string) =>
    validDate(Number(month), Number(day)) ? dateToChinese(year, Number(month), Number(day)) : whole,
  );
  out = out.replace(ZH_DATE, (whole, year: string | undefined, month: string, day: string) =>
    validDate(Number(month), Number(day)) ? dateToChinese(year, Number(month), Number(day)) : whole,
  );
  out = out.replace(
    /(\d{4})\s?年/g,
    (_whole, year: string) => `${digitsToChinese(year, '〇一二三四五六七八九'.split(''))}年`,
  );
  out = out.replace(TIME, (_whole, hour: string, minute: string) =>
    Number(minute) === 0
      ? `${integerToChinese(Number(hour))}点`
      : `${integerToChinese(Number(hour))}点${Number(minute) < 10 ? '零' : ''}${integerToChinese(Number(minute))}分`,
  );
  out = out.replace(CURRENCY_BEFORE, (_whole, amount: string) => yuanToChinese(amount));
  out = out.replace(CURRENCY_AFTER, (_whole, amount: string) => yuanToChinese(amount));
  // 白色×1 → 白色一件: a quantity, not a multiplication.
  out = out.replace(/\s?[×✕]\s?(\d+)(?![\d.])/g, (_whole, count: string) => `${count}件`);
  out = out.replace(/(\d[\d,]*(?:\.\d+)?)\s?[%％]/g, (_whole, value: string) => `百分之${decimalToChinese(value)}`);
  out = out.replace(
    /(\d+)\s?[/／]\s?(\d+)(?=\s?期)/g,
    (_whole, a: string, b: string) => `${integerToChinese(Number(a))}期中的第${integerToChinese(Number(b))}`,
  );
  // Long digit runs with no unit are identifiers (tracking, card tails): one digit at a time.
  out = out.replace(/(?<![\d.,])\d{7,}(?![\d.,])/g, (digits) => digitsToChinese(digits));
  // 2 before a measure word is 两 (两个, 两期, 两天).
  out = out.replace(
    /(?<![\d.,])2(?=\s?(?:个|個|期|天|件|位|次|张|張|笔|筆|份|种|種|周|週|小时|小時|分钟|分鐘))/g,
    '两',
  );
  out = out.replace(/\d[\d,]*\.\d+|\d{1,3}(?:,\d{3})+|\d+/g, (value) =>
    value.includes('.') ? decimalToChinese(value) : integerToChinese(Number(value.replace(/,/g, ''))),
  );
  return out;
}

function speakEnglish(input: string): string {
  let out = input;
  out = out.replace(PHONE, (phone) => {
    const groups = phone
      .replace(/^\+?86[\s-]?/, '')
      .split(/[\s-]+/)
      .filter(Boolean);
    const parts = groups.length > 1 ? groups : chunkPhone(groups[0] ?? '');
    return parts.map(digitsToEnglish).join(', ');
  });
  out = out.replace(CODE, (code) => spellCode(code, 'en'));
  out = out.replace(ISO_DATE, (whole, year: string, month: string, day: string) =>
    validDate(Number(month), Number(day)) ? dateToEnglish(year, Number(month), Number(day)) : whole,
  );
  out = out.replace(TIME, (_whole, hour: string, minute: string) =>
    Number(minute) === 0
      ? `${integerToEnglish(Number(hour))} o'clock`
      : `${integerToEnglish(Number(hour))} ${Number(minute) < 10 ? 'oh ' : ''}${integerToEnglish(Number(minute))}`,
  );
  out = out.replace(CURRENCY_BEFORE, (_whole, amount: string) => yuanToEnglish(amount));
  out = out.replace(CURRENCY_AFTER, (_whole, amount: string) => yuanToEnglish(amount));
  out = out.replace(/\$\s?(\d[\d,]*)(?:\.(\d{1,2}))?/g, (_whole, dollars: string, cents: string | undefined) => {
    const head = `${integerToEnglish(Number(dollars.replace(/,/g, '')))} dollars`;
    const centValue = Number(((cents ?? '') + '00').slice(0, 2));
    return centValue ? `${head} and ${integerToEnglish(centValue)} cents` : head;
  });
  out = out.replace(/\s?[×✕]\s?(\d+)(?![\d.])/g, (_whole, count: string) => `, quantity ${count}`);
  out = out.replace(/(\d[\d,]*(?:\.\d+)?)\s?%/g, (_whole, value: string) => `${decimalToEnglish(value)} percent`);
  out = out.replace(/(?<![\d.,])\d{7,}(?![\d.,])/g, (digits) => digitsToEnglish(digits));
  out = out.replace(/\d[\d,]*\.\d+|\d{1,3}(?:,\d{3})+|\d+/g, (value) =>
    value.includes('.') ? decimalToEnglish(value) : integerToEnglish(Number(value.replace(/,/g, ''))),
  );
  return out;
}

/** 13800138000 → 138 0013 8000: how people group a mobile number when they read it out. */
function chunkPhone(digits: string): string[] {
  if (digits.length === 11) return [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7)];
  if (digits.length === 10) return [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  return [digits];
}

/** XM20261115003 → "X M 二零二六幺幺幺五零零三" (letters spelled, digits one by one). */
function spellCode(code: string, language: 'zh' | 'en'): string {
  const pieces = code.match(/[A-Za-z]+|\d+|-/g) ?? [];
  return pieces
    .filter((piece) => piece !== '-')
    .map((piece) =>
      /\d/.test(piece)
        ? language === 'zh'
          ? digitsToChinese(piece)
          : digitsToEnglish(piece)
        : piece.toUpperCase().split('').join(' '),
    )
    .join(language === 'zh' ? ' ' : ', ');
}

function tidy(text: string, language: VoiceLanguage): string {
  let out = text.replace(/\s+/g, ' ');
  if (language !== 'en') {
    // No spaces between Chinese characters and punctuation (a synthesiser pauses on them).
    out = out.replace(/(?<=[\u4E00-\u9FFF，。！？、；：])\s+(?=[\u4E00-\u9FFF，。！？、；：])/g, '');
    out = out.replace(/([，。！？、；：])\1+/g, '$1').replace(/，。/g, '。');
  }
  return out.replace(/\s+([,.!?;:])/g, '$1').trim();
}

/** Sentences kept while they fit; never cuts inside one (at least the first is kept whole). */
function shorten(text: string, language: VoiceLanguage, maxChars: number): string {
  const limit = language === 'en' ? Math.round(maxChars * 2.5) : maxChars;
  if (text.length <= limit) return text;
  const sentences = text.match(/[^。！？!?.]+(?:[。！？!?]|\.(?!\d)|$)/g) ?? [text];
  let out = '';
  for (const sentence of sentences) {
    if (out && out.length + sentence.length > limit) break;
    out += sentence;
  }
  return out.trim();
}

/**
 * Quick replies as a keypad menu: 按 1 加急，按 2 退款 / Press 1 for Expedite. At most nine
 * options (the keys 1 to 9); 0 stays free for a person.
 */
export function menuPrompt(options: readonly string[], language: VoiceLanguage): string {
  // Each option is spoken like a reply (领 5 元补偿券 → 领五元补偿券); only the keys stay digits.
  const spoken = options
    .slice(0, 9)
    .map((option) => toSpeechText(option, language === 'zh-HK' ? 'zh-CN' : language).replace(/[。.]$/, ''));
  if (language === 'en') return spoken.map((option, index) => `Press ${index + 1} for ${option}.`).join(' ');
  const menu = `${spoken.map((option, index) => `按 ${index + 1} ${option}`).join('，')}。`;
  return language === 'zh-HK' ? toTraditionalChinese(menu, 'hk') : menu;
}

/** Spoken forms of the amounts in a reply, in order ("一千零七十九元二角"), for a confirmation. */
export function spokenAmounts(text: string, language: VoiceLanguage): string[] {
  const found: string[] = [];
  for (const pattern of [CURRENCY_BEFORE, CURRENCY_AFTER]) {
    for (const match of text.matchAll(pattern)) {
      const amount = match[1]!;
      found.push(language === 'en' ? yuanToEnglish(amount) : yuanToChinese(amount));
    }
  }
  const unique = [...new Set(found)];
  return language === 'zh-HK' ? unique.map((entry) => toTraditionalChinese(entry, 'hk')) : unique;
}
