import { normalizeText, tokenize } from '../text/index.js';

/**
 * Extractive answers from documents with no LLM (issue 17, scope 4): which sentence (or table
 * row, or list item) of the tenant's document passages answers a question, and how much of the
 * question it accounts for.
 *
 * A question's *content terms* are its jieba words minus question and function words (什么时候,
 * 怎么, 吗, how, when …). A unit — a sentence, a list item or a table row, read together with its
 * heading trail — *covers* a term when it contains it (after normalisation); a multi-character
 * term it does not contain counts half for the share of its character bigrams it does. `coverage`
 * is the idf-weighted share of the question's terms a unit covers, idf counted over all units of
 * the tenant's documents; a term no document uses at all weighs the most, so a question about
 * something the documents never mention stays low however common its other words are.
 */
export interface AnswerPassage {
  id: string;
  /** The heading trail joined by ' › ' (document title first). */
  title: string;
  text: string;
}

export interface ExtractedAnswer {
  passageId: string;
  /** The text to quote: one unit, or the whole passage when several of its units answer equally. */
  quote: string;
  /** idf-weighted share of the question's content terms the quote (with its headings) covers, 0–1. */
  coverage: number;
  /** The same for the best unit of any *other* passage (0 when none): how clear the choice is. */
  runnerUp: number;
  /** Content terms of the question and how many the quote covers whole (single Han characters not counted). */
  terms: number;
  covered: number;
}

export interface PassageScore {
  passageId: string;
  /** Coverage of the question by the passage's best unit. */
  coverage: number;
}

/** Question and function words: they say what kind of answer is wanted, not what about. */
const STOP_WORDS = new Set(
  (
    '的 了 吗 呢 吧 啊 呀 嘛 么 是 有 在 和 与 及 或 我 你 您 他 她 它 我们 你们 这 那 这个 那个 哪 哪个 哪些 哪里 哪儿 ' +
    '什么 什么样 怎么 怎么样 怎样 如何 为什么 为何 多少 多久 多长 多长时间 几 几天 几个 时候 什么时候 何时 能 能不能 ' +
    '可以 可不可以 可否 会 会不会 要 需要 想 想问 请问 请 问 问下 一下 下 还 也 都 就 又 吗? 么? 一 个 给 让 被 把 ' +
    '对 从 到 后 前 里 上 中 时 现在 已经 如果 的话 是否 有没有 是不是 多 少 呗 哦 嗯 谁 哪家 哪天 怎么办 怎么回事 会怎样 以后 之后 多少钱 几块钱 ' +
    'a an the is are was were be do does did can could will would should i you we my your our me it this that ' +
    'what when where which who how why much many long there to of in on for with at by from and or if'
  ).split(/\s+/),
);

const TABLE_ROW = /\s\|\s/;
const SENTENCE_END = /(?<=[。！？；!?;])/;

interface Unit {
  passage: number;
  /** What the customer reads. */
  display: string;
  /** What terms are looked for in: the heading trail and the unit, normalised. */
  context: string;
  /** The unit alone, normalised (breaks ties between units under the same heading). */
  own: string;
}

/** What kind of answer a question wants, and what a unit giving it contains. */
const ANSWER_TYPES: Array<{ question: RegExp; unit: RegExp }> = [
  {
    question: /多久|几天|多长|什么时候|何时|时效|时间|截止|期限|how long|when|deadline/,
    unit: /\d+\s*(?:个)?(?:天|小时|工作日|分钟|周|月|年|日)|\d{4}-\d{1,2}|当天|即时|次日/,
  },
  {
    question: /多少|费用|收费|手续费|利息|费率|几块|价格|钱|how much|fee|cost|rate/,
    unit: /\d[\d,.]*\s*(?:元|%|块)|免费|免收|不收|免年费|不退/,
  },
  { question: /怎么|如何|流程|步骤|怎样|how (?:do|can|to)/, unit: /→|申请|选择|点击|进入|联系|上传/ },
];

interface Indexed {
  passages: AnswerPassage[];
  units: Unit[];
  byPassage: Map<string, number[]>;
  documentFrequency: Map<string, number>;
}

/** Splits a passage into answer units: table rows (shown with their header), list items, sentences. */
export function answerUnits(text: string): string[] {
  const units: string[] = [];
  let header: string[] | null = null;
  for (const rawLine of text.split(/\n+/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (TABLE_ROW.test(line)) {
      const cells = line.split(/\s\|\s/).map((cell) => cell.trim());
      if (!header) {
        header = cells;
        continue;
      }
      units.push(
        cells
          .map((cell, index) => (header![index] && header![index] !== cell ? `${header![index]}：${cell}` : cell))
          .join('；'),
      );
      continue;
    }
    header = null;
    // A list item is one unit; a paragraph is split into sentences.
    if (/^(?:[-*•]|\d+[.)、])\s*/.test(line)) units.push(line.replace(/^(?:[-*•]|\d+[.)、])\s*/, ''));
    else
      units.push(
        ...line
          .split(SENTENCE_END)
          .map((sentence) => sentence.trim())
          .filter(Boolean),
      );
  }
  return units;
}

/** The content terms of a question (normalised text), without question and function words. */
export function contentTerms(normalizedQuery: string): string[] {
  const terms = new Set<string>();
  // 「多少钱」 asks for an amount: the 钱 jieba splits off is not what the question is about.
  for (const token of tokenize(normalizedQuery.replace(/(?:多少|几块)钱/g, ' '), { stem: false })) {
    const term = foldCounts(token.trim());
    if (term === '' || STOP_WORDS.has(term) || !/[\p{L}\p{N}]/u.test(term)) continue;
    terms.add(term);
  }
  return [...terms];
}

/** Indexes the passages' units once; reuse the result for every question against the same passages. */
export function indexAnswerPassages(passages: readonly AnswerPassage[]): Indexed {
  const units: Unit[] = [];
  const byPassage = new Map<string, number[]>();
  passages.forEach((passage, index) => {
    const heading = foldCounts(normalizeText(passage.title).text);
    const list: number[] = [];
    for (const display of answerUnits(passage.text)) {
      list.push(units.length);
      const own = foldCounts(normalizeText(display).text);
      units.push({ passage: index, display, context: `${heading} ${own}`, own });
    }
    byPassage.set(passage.id, list);
  });
  return { passages: [...passages], units, byPassage, documentFrequency: new Map() };
}

export type AnswerIndex = ReturnType<typeof indexAnswerPassages>;

function bigrams(term: string): string[] {
  const result: string[] = [];
  for (let index = 0; index + 1 < term.length; index += 1) result.push(term.slice(index, index + 2));
  return result;
}

const NUMERALS: Record<string, string> = {
  一: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
  十: '10',
};
const COUNTED = /([一二两三四五六七八九十])\s*(?=天|个|期|次|小时|年|月|周|元|块)/g;

/** 七天 → 7天, 两个 → 2个 (a count before a unit), and no spaces between digits and units, so 七天 meets 7 天. */
export function foldCounts(text: string): string {
  return text.replace(COUNTED, (_, numeral: string) => NUMERALS[numeral]!).replace(/(\d)\s+(?=\p{Script=Han})/gu, '$1');
}

/** How much of a term a context contains: 1 when whole, half the share of its bigrams otherwise. */
function match(term: string, context: string): number {
  if (context.includes(term)) return 1;
  if (term.length < 3 || !/\p{Script=Han}/u.test(term)) return 0;
  const pairs = bigrams(term);
  return (0.5 * pairs.filter((pair) => context.includes(pair)).length) / pairs.length;
}

function idf(index: Indexed, term: string): number {
  let frequency = index.documentFrequency.get(term);
  if (frequency === undefined) {
    frequency = 0;
    for (const unit of index.units) if (unit.context.includes(term)) frequency += 1;
    index.documentFrequency.set(term, frequency);
  }
  return Math.log((index.units.length + 1) / (frequency + 0.5));
}

/** Coverage of the question by every unit of the given passages (all passages when none are given). */
function scoreUnits(index: Indexed, terms: readonly string[], passageIds?: readonly string[], normalizedQuery = '') {
  const wanted = ANSWER_TYPES.filter((type) => type.question.test(normalizedQuery));
  const weights = terms.map((term) => idf(index, term));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const unitIds = passageIds
    ? passageIds.flatMap((id) => index.byPassage.get(id) ?? [])
    : index.units.map((_, unitIndex) => unitIndex);
  return unitIds.map((unitIndex) => {
    const unit = index.units[unitIndex]!;
    let sum = 0;
    let ownSum = 0;
    let covered = 0;
    terms.forEach((term, position) => {
      const share = match(term, unit.context);
      sum += share * weights[position]!;
      ownSum += match(term, unit.own) * weights[position]!;
      // Whole words only; a single Han character (日, 卡) is too weak to count as evidence.
      if (share === 1 && !/^\p{Script=Han}$/u.test(term)) covered += 1;
    });
    // Tie-break among units under one heading: the unit's own words, then the kind of answer it gives.
    const typed = wanted.filter((type) => type.unit.test(unit.own)).length;
    const preference = (total > 0 ? ownSum / total : 0) + (wanted.length > 0 ? typed / wanted.length : 0);
    return { unit, unitIndex, coverage: total > 0 ? sum / total : 0, covered, preference };
  });
}

/** Each passage's best coverage of the question, best first (the passages to suggest). */
export function scorePassages(
  index: AnswerIndex,
  normalizedQuery: string,
  passageIds?: readonly string[],
): PassageScore[] {
  const terms = contentTerms(normalizedQuery);
  if (terms.length === 0) return [];
  const best = new Map<string, number>();
  for (const { unit, coverage } of scoreUnits(index, terms, passageIds)) {
    const id = index.passages[unit.passage]!.id;
    if (coverage > (best.get(id) ?? -1)) best.set(id, coverage);
  }
  return [...best]
    .map(([passageId, coverage]) => ({ passageId, coverage: Math.round(coverage * 10000) / 10000 }))
    .sort((a, b) => b.coverage - a.coverage);
}

/** Longest passage quoted whole when several of its units answer equally well. */
const MAX_WHOLE_PASSAGE = 360;

/**
 * The unit that best answers the question among the passages (the retrieval's candidates, or
 * all), with its coverage and the best coverage of any other passage. Null when the question
 * has no content term or no unit covers any of it.
 */
export function extractAnswer(
  index: AnswerIndex,
  normalizedQuery: string,
  passageIds?: readonly string[],
): ExtractedAnswer | null {
  const terms = contentTerms(normalizedQuery);
  if (terms.length === 0) return null;
  const scored = scoreUnits(index, terms, passageIds, normalizedQuery);
  if (scored.length === 0) return null;
  let best = scored[0]!;
  for (const candidate of scored)
    if (
      candidate.coverage > best.coverage + 1e-9 ||
      (candidate.coverage > best.coverage - 1e-9 && candidate.preference > best.preference + 1e-9)
    )
      best = candidate;
  if (best.coverage <= 0) return null;
  const passage = index.passages[best.unit.passage]!;
  let runnerUp = 0;
  for (const candidate of scored)
    if (candidate.unit.passage !== best.unit.passage) runnerUp = Math.max(runnerUp, candidate.coverage);
  // Several units of the same passage tie: the passage as a whole answers (a short one is quoted whole).
  const ties = scored.filter(
    (candidate) =>
      candidate.unit.passage === best.unit.passage &&
      candidate.coverage >= best.coverage - 1e-9 &&
      candidate.preference >= best.preference - 1e-9,
  );
  const quote =
    ties.length > 1 && passage.text.length <= MAX_WHOLE_PASSAGE
      ? answerUnits(passage.text).join('\n')
      : ties.length > 1
        ? ties
            .slice(0, 3)
            .map((tie) => tie.unit.display)
            .join('\n')
        : best.unit.display;
  return {
    passageId: passage.id,
    quote,
    coverage: Math.round(best.coverage * 10000) / 10000,
    runnerUp: Math.round(runnerUp * 10000) / 10000,
    terms: terms.length,
    covered: best.covered,
  };
}

/**
 * An extractive answer is given when the quoted unit (with its headings) covers at least this
 * idf-weighted share of the question's content terms, and at least two of them whole (one matched
 * word is too little evidence: 「还款日是哪天」 is not answered by a sentence that mentions 还款日).
 * Chosen on the tuning half of src/knowledge/__fixtures__/document-questions.jsonl by
 * bench/document-answers.ts; precision is reported on the other half (bench/results/document-answers.md).
 */
export const EXTRACTIVE_MIN_COVERAGE = 0.55;

/** Whether an extracted answer is confident enough to give without a person or an LLM. */
export function isConfidentExtract(found: ExtractedAnswer | null, minCoverage = EXTRACTIVE_MIN_COVERAGE): boolean {
  return found !== null && found.coverage >= minCoverage && found.covered >= 2;
}
