/**
 * Query–candidate features for the learned re-ranker (rerank-model.ts). Beside exact word and
 * character-bigram overlap they carry *soft* word matches: a word-association table learned from
 * paraphrase pairs (IBM model 1 on ATEC, see training/train-reranker.ts) lets 更换 meet 更改 and 来电
 * meet 打电话, which BM25 cannot see. Cheap enough to run on the top few dozen BM25 hits per query.
 */

/** Names of the re-ranker features, in vector order. */
export const RERANK_FEATURES = [
  'relativeScore',
  'reciprocalRank',
  'wordRecall',
  'wordPrecision',
  'gramRecall',
  'gramPrecision',
  'softRecall',
  'softPrecision',
  'unexplainedQuery',
  'unexplainedCandidate',
  'characterJaccard',
  'commonSubsequence',
  'lengthRatio',
  'questionTypeSame',
  'questionTypeConflict',
  'negationMismatch',
  'numberMismatch',
  'isPhrasing',
] as const;

export type RerankFeature = (typeof RERANK_FEATURES)[number];

/** Word associations: for a word, the words it paraphrases with and how strongly (0–1). */
export type WordAssociations = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** Question types recognised by cue words (Chinese, Simplified after normalisation, and English). */
const QUESTION_TYPES: readonly (readonly string[])[] = [
  ['多久', '多长时间', '什么时候', '啥时候', '何时', '几天', '几号', '几点', '多少天', '什么时间', 'when', 'how long'],
  ['为什么', '为何', '为啥', '怎么回事', '什么原因', '原因', 'why'],
  ['多少', '几个', '额度', '利息', '费用', 'how much', 'how many', 'fee'],
  ['怎么', '如何', '怎样', '咋', '方法', '步骤', 'how do', 'how to', 'how can'],
  ['能否', '可以', '能不能', '可不可以', '行不行', '是否', '可否', '能吗', 'can i', 'could i', 'is it possible'],
  ['哪里', '在哪', '哪儿', '什么地方', 'where'],
];

const NEGATION = /[不没无未别非]|\b(?:not|no|never|cannot|can't|don't|won't)\b/u;
const NUMBER = /\d+(?:\.\d+)?/gu;

export function questionTypes(normalized: string): number {
  let mask = 0;
  QUESTION_TYPES.forEach((cues, index) => {
    if (cues.some((cue) => normalized.includes(cue))) mask |= 1 << index;
  });
  return mask;
}

/** What the features need about one side (query or candidate), computed once. */
export interface RerankSide {
  /** Normalised text without whitespace. */
  compact: string;
  characters: ReadonlySet<string>;
  /** Distinct word ids in the index vocabulary (-1 for words the index has never seen). */
  words: Int32Array;
  /** idf of each of `words`. */
  wordIdf: Float64Array;
  grams: Int32Array;
  gramIdf: Float64Array;
  questionTypes: number;
  negated: boolean;
  numbers: ReadonlySet<string>;
}

export function describeSide(
  compact: string,
  words: Int32Array,
  wordIdf: Float64Array,
  grams: Int32Array,
  gramIdf: Float64Array,
): RerankSide {
  return {
    compact,
    characters: new Set(Array.from(compact)),
    words,
    wordIdf,
    grams,
    gramIdf,
    questionTypes: questionTypes(compact),
    negated: NEGATION.test(compact),
    numbers: new Set(compact.match(NUMBER) ?? []),
  };
}

/**
 * For each query word (by position in `query.words`), the index word ids it is associated with and
 * the strength. Built once per query from the association table.
 */
export function softMatches(
  queryWords: readonly string[],
  associations: WordAssociations,
  termIds: ReadonlyMap<string, number>,
): Map<number, number>[] {
  return queryWords.map((word) => {
    const matches = new Map<number, number>();
    const related = associations.get(word);
    if (related !== undefined) {
      for (const [other, strength] of related) {
        const id = termIds.get(other);
        if (id !== undefined) matches.set(id, strength);
      }
    }
    return matches;
  });
}

function overlap(
  query: Int32Array,
  queryIdf: Float64Array,
  candidate: Int32Array,
  candidateIdf: Float64Array,
): { recall: number; precision: number } {
  let queryMass = 0;
  let shared = 0;
  for (let i = 0; i < query.length; i += 1) {
    queryMass += queryIdf[i]!;
    if (query[i]! >= 0 && candidate.includes(query[i]!)) shared += queryIdf[i]!;
  }
  let candidateMass = 0;
  for (let j = 0; j < candidate.length; j += 1) candidateMass += candidateIdf[j]!;
  return {
    recall: queryMass === 0 ? 0 : shared / queryMass,
    precision: candidateMass === 0 ? 0 : shared / candidateMass,
  };
}

/** Longest common subsequence of two strings, in characters. */
export function commonSubsequenceLength(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  if (left.length === 0 || right.length === 0) return 0;
  let previous = new Uint16Array(right.length + 1);
  let current = new Uint16Array(right.length + 1);
  for (let i = 1; i <= left.length; i += 1) {
    for (let j = 1; j <= right.length; j += 1) {
      current[j] = left[i - 1] === right[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[right.length]!;
}

/**
 * The feature vector of one candidate. `soft[i]` are the association matches of query word i;
 * `rank` is 0-based; `relativeScore` is the BM25 score over the best one's.
 */
export function rerankFeatures(
  query: RerankSide,
  soft: readonly Map<number, number>[],
  candidate: RerankSide,
  position: { relativeScore: number; rank: number; isPhrasing: boolean },
): Float64Array {
  const words = overlap(query.words, query.wordIdf, candidate.words, candidate.wordIdf);
  const grams = overlap(query.grams, query.gramIdf, candidate.grams, candidate.gramIdf);

  // Soft alignment: every query word takes its best match in the candidate (1 for the same word,
  // the association strength otherwise), and the reverse.
  const candidateBest = new Float64Array(candidate.words.length);
  let queryMass = 0;
  let querySoft = 0;
  let queryUnexplained = 0;
  for (let i = 0; i < query.words.length; i += 1) {
    const id = query.words[i]!;
    const matches = soft[i];
    let best = 0;
    for (let j = 0; j < candidate.words.length; j += 1) {
      const other = candidate.words[j]!;
      const strength = id >= 0 && id === other ? 1 : (matches?.get(other) ?? 0);
      if (strength > best) best = strength;
      if (strength > candidateBest[j]!) candidateBest[j] = strength;
    }
    const idf = query.wordIdf[i]!;
    queryMass += idf;
    querySoft += idf * best;
    queryUnexplained += idf * (1 - best);
  }
  let candidateMass = 0;
  let candidateSoft = 0;
  let candidateUnexplained = 0;
  for (let j = 0; j < candidate.words.length; j += 1) {
    const idf = candidate.wordIdf[j]!;
    candidateMass += idf;
    candidateSoft += idf * candidateBest[j]!;
    candidateUnexplained += idf * (1 - candidateBest[j]!);
  }

  let sharedCharacters = 0;
  for (const character of query.characters) if (candidate.characters.has(character)) sharedCharacters += 1;
  const union = query.characters.size + candidate.characters.size - sharedCharacters;
  const queryLength = Math.max(1, Array.from(query.compact).length);
  const candidateLength = Math.max(1, Array.from(candidate.compact).length);
  const subsequence = commonSubsequenceLength(query.compact, candidate.compact);

  const bothTyped = query.questionTypes !== 0 && candidate.questionTypes !== 0;
  const numbersDiffer =
    query.numbers.size > 0 &&
    candidate.numbers.size > 0 &&
    ![...query.numbers].some((number) => candidate.numbers.has(number));

  return Float64Array.of(
    position.relativeScore,
    1 / (position.rank + 1),
    words.recall,
    words.precision,
    grams.recall,
    grams.precision,
    queryMass === 0 ? 0 : querySoft / queryMass,
    candidateMass === 0 ? 0 : candidateSoft / candidateMass,
    // Absolute idf mass left unexplained, squashed: a long candidate with many extra words differs more.
    Math.log1p(queryUnexplained),
    Math.log1p(candidateUnexplained),
    union === 0 ? 0 : sharedCharacters / union,
    (2 * subsequence) / (queryLength + candidateLength),
    Math.min(queryLength, candidateLength) / Math.max(queryLength, candidateLength),
    bothTyped && (query.questionTypes & candidate.questionTypes) !== 0 ? 1 : 0,
    bothTyped && (query.questionTypes & candidate.questionTypes) === 0 ? 1 : 0,
    query.negated !== candidate.negated ? 1 : 0,
    numbersDiffer ? 1 : 0,
    position.isPhrasing ? 1 : 0,
  );
}
