import { normalizeText } from '../text/index.js';
import { analyzeText } from './analyzer.js';
import { LexicalIndex } from './retrieval-index.js';

/** An answer to a question, from some source (an FAQ row, a document chunk). */
export interface AnswerItem {
  id: string;
  question: string;
  alternatives?: readonly string[];
  answer: string;
  /** Where it came from (path, URL, "faq.csv row 12"), shown to the person resolving the conflict. */
  source?: string;
}

export interface Conflict {
  first: AnswerItem;
  second: AnswerItem;
  reason: 'numbers' | 'negation';
  /** What differs, e.g. "天: 7 vs 15". */
  detail: string;
  /** Similarity of the two questions, 0–1. */
  questionSimilarity: number;
}

export interface ConflictOptions {
  /** Question similarity (bigram/word Dice over the closest phrasings) from which two items are "the same question" (default 0.6). */
  threshold?: number;
}

const CHINESE_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const CHINESE_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 万: 10000 };

/** 七 → 7, 十五 → 15, 二十四 → 24, 两百 → 200 (enough for deadlines, fees and limits). */
export function chineseNumeral(text: string): number | undefined {
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  for (const character of text) {
    if (character in CHINESE_DIGITS) digit = CHINESE_DIGITS[character];
    else if (character in CHINESE_UNITS) {
      const unit = CHINESE_UNITS[character]!;
      if (unit === 10000) {
        total = (total + section + (digit ?? 0)) * unit;
        section = 0;
      } else section += (digit ?? 1) * unit;
      digit = undefined;
    } else return undefined;
  }
  return total + section + (digit ?? 0);
}

const QUANTITY =
  /(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)\s*(%|个?工作日|天|日|小时|分钟|周|个?月|年|元|块|公斤|千克|kg|次|件|倍|days?|hours?|minutes?|weeks?|months?|years?|yuan|rmb|usd|percent|times)/giu;
const UNIT_ALIASES: Record<string, string> = {
  日: '天',
  day: '天',
  days: '天',
  个月: '月',
  month: '月',
  months: '月',
  块: '元',
  yuan: '元',
  rmb: '元',
  千克: '公斤',
  kg: '公斤',
  hour: '小时',
  hours: '小时',
  minute: '分钟',
  minutes: '分钟',
  week: '周',
  weeks: '周',
  year: '年',
  years: '年',
  percent: '%',
  个工作日: '工作日',
  times: '倍',
};

/** Quantities in an answer, by unit: "7 天内… 3 个工作日" → { 天: [7], 工作日: [3] }. */
export function quantities(text: string): Map<string, number[]> {
  const result = new Map<string, number[]>();
  for (const match of normalizeText(text).text.matchAll(QUANTITY)) {
    const raw = match[1]!;
    const value = /^\d/.test(raw) ? Number(raw) : chineseNumeral(raw);
    if (value === undefined || Number.isNaN(value)) continue;
    const unit = UNIT_ALIASES[match[2]!.toLowerCase()] ?? match[2]!.toLowerCase();
    const values = result.get(unit) ?? [];
    if (!values.includes(value)) values.push(value);
    result.set(
      unit,
      values.sort((a, b) => a - b),
    );
  }
  return result;
}

const NEGATION =
  /不可以|不能|不支持|不可|不允许|无法|不予|禁止|不提供|不接受|不退|不收|不会|没有|不需要|无需|cannot|can't|can not|not |no longer|never|don't|doesn't|isn't|aren't|won't/u;

function negated(text: string): boolean {
  return NEGATION.test(normalizeText(text).text);
}

function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared += 1;
  return (2 * shared) / (a.size + b.size);
}

function termSet(text: string): Set<string> {
  const analyzed = analyzeText(text);
  return new Set([...analyzed.words, ...analyzed.grams.map((gram) => `§${gram}`)]);
}

function phrasings(item: AnswerItem): string[] {
  return [item.question, ...(item.alternatives ?? [])];
}

/**
 * Finds items that answer the same question differently: the questions are near-paraphrases but
 * the answers disagree on a number with the same unit ("退货期限 7 天" vs "15 天") or one answer
 * negates what the other allows. Both sides are returned for a person to resolve.
 */
export function detectConflicts(items: readonly AnswerItem[], options: ConflictOptions = {}): Conflict[] {
  const threshold = options.threshold ?? 0.6;
  const index = new LexicalIndex(
    items.map((item) => ({ id: item.id, question: item.question, alternatives: item.alternatives })),
  );
  const byId = new Map(items.map((item) => [item.id, item]));
  const terms = new Map(items.map((item) => [item.id, phrasings(item).map(termSet)]));
  const conflicts: Conflict[] = [];
  const reported = new Set<string>();
  for (const item of items) {
    for (const phrasing of phrasings(item)) {
      for (const candidate of index.candidates(phrasing, 10, new Set([item.id]))) {
        const other = byId.get(candidate.id)!;
        const pairKey = [item.id, other.id].sort().join('\u0000');
        if (reported.has(pairKey)) continue;
        let similarity = 0;
        for (const a of terms.get(item.id)!)
          for (const b of terms.get(other.id)!) similarity = Math.max(similarity, dice(a, b));
        if (similarity < threshold || mentionsDifferentNumbers(item, other)) continue;
        const conflict = compareAnswers(item, other, similarity);
        reported.add(pairKey);
        if (conflict !== undefined) conflicts.push(conflict);
      }
    }
  }
  return conflicts;
}

/** "第 3 期怎么还" and "第 5 期怎么还" are different questions, however alike they look. */
function mentionsDifferentNumbers(first: AnswerItem, second: AnswerItem): boolean {
  const numbers = (item: AnswerItem): string =>
    [...new Set(normalizeText(item.question).text.match(/\d+(?:\.\d+)?/g) ?? [])].sort().join(',');
  return numbers(first) !== numbers(second);
}

function compareAnswers(first: AnswerItem, second: AnswerItem, questionSimilarity: number): Conflict | undefined {
  if (normalizeText(first.answer).text === normalizeText(second.answer).text) return undefined;
  const a = quantities(first.answer);
  const b = quantities(second.answer);
  const differences: string[] = [];
  for (const [unit, values] of a) {
    const others = b.get(unit);
    if (others !== undefined && values.join(',') !== others.join(','))
      differences.push(`${unit}: ${values.join('/')} vs ${others.join('/')}`);
  }
  if (differences.length > 0)
    return {
      first,
      second,
      reason: 'numbers',
      detail: differences.join('; '),
      questionSimilarity: round(questionSimilarity),
    };
  if (negated(first.answer) !== negated(second.answer)) {
    const [yes, no] = negated(first.answer) ? [second, first] : [first, second];
    return {
      first,
      second,
      reason: 'negation',
      detail: `"${yes.id}" allows what "${no.id}" denies`,
      questionSimilarity: round(questionSimilarity),
    };
  }
  return undefined;
}

const round = (value: number): number => Number(value.toFixed(3));
