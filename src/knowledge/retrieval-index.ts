import type { Jieba } from '@node-rs/jieba';
import { defaultJieba, jiebaWithUserDictionary } from '../text/index.js';
import { analyzeText } from './analyzer.js';
import { DEFAULT_MATCH_MODEL } from './match-model-weights.js';
import {
  harmonic,
  MATCH_FEATURES,
  scoreModel,
  sigmoid,
  weightedOverlap,
  type MatchFeature,
  type MatchModel,
} from './match-features.js';
import { describeSide, rerankFeatures, softMatches, type RerankSide } from './rerank-features.js';
import { defaultRerankModel, type RerankModel } from './rerank-model.js';
import { SignalIndex } from './signal-index.js';

/** Something retrieval can find: an FAQ entry (question, alternatives, answer) or a chunk (title, body). */
export interface KnowledgeEntry {
  id: string;
  question?: string;
  alternatives?: readonly string[];
  title?: string;
  body?: string;
  answer?: string;
}

export interface RetrievalHit {
  id: string;
  /**
   * BM25F score over words and bigrams, comparable within one query only. The list is ordered by
   * the learned re-ranker, so this is not always decreasing down it.
   */
  score: number;
  /** Calibrated probability that this hit answers the query, 0–1. */
  matchScore: number;
}

export interface SearchOptions {
  /** Number of hits (default 10). */
  k?: number;
  /** Entry ids removed from the ranking before it is cut to k. */
  exclude?: ReadonlySet<string>;
}

export interface RetrievalIndex {
  search(query: string, options?: SearchOptions): RetrievalHit[];
  readonly size: number;
}

export type KnowledgeField = 'question' | 'alternatives' | 'title' | 'body' | 'answer';

export interface LexicalOptions {
  /** Per-field boosts; phrasing fields (question, alternatives, title) compete, content fields add. */
  boosts?: Partial<Record<KnowledgeField, number>>;
  /** Weight of the character-bigram signal relative to the word signal. */
  gramWeight?: number;
  k1?: number;
  b?: number;
  model?: MatchModel;
  /**
   * Re-ranks the BM25 top hits with the learned re-ranker (default: the shipped one, trained on
   * ATEC paraphrase pairs); `false` keeps plain BM25 order.
   */
  reranker?: RerankModel | false;
  /** Lines of a jieba user dictionary (`word [freq] [tag]`) with the tenant's product names. */
  userDictionary?: readonly string[];
  jieba?: Jieba;
}

const FIELDS: readonly KnowledgeField[] = ['question', 'alternatives', 'title', 'body', 'answer'];
const PHRASING = new Set<number>([0, 1, 2]);
const DEFAULT_BOOSTS: Record<KnowledgeField, number> = {
  question: 1,
  alternatives: 0.95,
  title: 0.8,
  body: 0.35,
  answer: 0.3,
};

/** One candidate with its features, as the match model sees it (exposed for training and tests). */
export interface ScoredCandidate {
  entry: number;
  /** The matching unit (one field of the entry). */
  unit: number;
  id: string;
  lexicalScore: number;
  features: Record<MatchFeature, number>;
}

interface Pass {
  signal: SignalIndex;
  ids: Int32Array;
  scale: number;
}

/**
 * A lexical index over knowledge entries: BM25 on jieba/English words and on Han character bigrams,
 * with per-field boosts; a small logistic match model turns each hit's similarity features into a
 * calibrated probability (`matchScore`).
 */
export class LexicalIndex implements RetrievalIndex {
  private readonly words: SignalIndex;
  private readonly grams: SignalIndex;
  private readonly ids: string[] = [];
  private readonly unitEntry: number[] = [];
  private readonly unitField: number[] = [];
  private readonly unitLength: number[] = [];
  private readonly unitCompact: string[] = [];
  private readonly unitSides: (RerankSide | undefined)[] = [];
  private readonly gramWeight: number;
  private readonly model: MatchModel;
  private readonly reranker: RerankModel | undefined;
  private readonly jieba: Jieba;
  private readonly scores: Float64Array;
  private readonly marks: Uint8Array;
  private readonly entryBest: Float64Array;
  private readonly entryBestUnit: Int32Array;
  private readonly entryContent: Float64Array;
  private readonly entryMarks: Uint8Array;

  constructor(entries: readonly KnowledgeEntry[], options: LexicalOptions = {}) {
    const k1 = options.k1 ?? 1.2;
    const b = options.b ?? 0.5;
    this.words = new SignalIndex(k1, b);
    this.grams = new SignalIndex(k1, b);
    this.gramWeight = options.gramWeight ?? 0.6;
    this.model = options.model ?? DEFAULT_MATCH_MODEL;
    this.reranker = options.reranker === false ? undefined : (options.reranker ?? defaultRerankModel());
    this.jieba =
      options.jieba ??
      (options.userDictionary && options.userDictionary.length > 0
        ? jiebaWithUserDictionary(options.userDictionary)
        : defaultJieba());
    const boosts = FIELDS.map((field) => options.boosts?.[field] ?? DEFAULT_BOOSTS[field]);

    let unit = 0;
    entries.forEach((entry, entryIndex) => {
      this.ids.push(entry.id);
      const texts: [number, string | undefined][] = [
        [0, entry.question],
        ...(entry.alternatives ?? []).map((text): [number, string] => [1, text]),
        [2, entry.title],
        [3, entry.body],
        [4, entry.answer],
      ];
      for (const [field, text] of texts) {
        if (text === undefined || text.trim().length === 0) continue;
        const analyzed = analyzeText(text, this.jieba);
        this.words.addUnit(unit, field, analyzed.words);
        this.grams.addUnit(unit, field, analyzed.grams);
        this.unitEntry.push(entryIndex);
        this.unitField.push(field);
        const compact = analyzed.normalized.replace(/\s/g, '');
        this.unitLength.push(Math.max(1, compact.length));
        this.unitCompact.push(compact);
        unit += 1;
      }
    });
    this.words.finalize(unit, boosts);
    this.grams.finalize(unit, boosts);
    this.scores = new Float64Array(unit);
    this.marks = new Uint8Array(unit);
    this.entryBest = new Float64Array(entries.length);
    this.entryBestUnit = new Int32Array(entries.length);
    this.entryContent = new Float64Array(entries.length);
    this.entryMarks = new Uint8Array(entries.length);
  }

  get size(): number {
    return this.ids.length;
  }

  search(query: string, options: SearchOptions = {}): RetrievalHit[] {
    const k = options.k ?? 10;
    // At least two candidates, so the margin feature means the same whatever k is.
    let candidates = this.candidates(query, Math.max(k, 2, this.reranker?.depth ?? 0), options.exclude);
    if (this.reranker !== undefined) candidates = this.rerank(query, candidates, this.reranker);
    // matchScore is the match model's calibrated probability for each hit on its own similarity
    // features (docs/knowledge.md); it is not always decreasing down the list: the top hit's score
    // is the one the turn pipeline acts on.
    return candidates.slice(0, k).map((candidate) => ({
      id: candidate.id,
      score: candidate.lexicalScore,
      matchScore: sigmoid(scoreModel(this.model, candidate.features)),
    }));
  }

  /** Orders BM25 candidates by the learned re-ranker (ties keep BM25 order). */
  rerank(query: string, candidates: ScoredCandidate[], model: RerankModel): ScoredCandidate[] {
    if (candidates.length < 2) return candidates;
    const { side, words } = this.describeQuery(query);
    const soft = softMatches(words, model.associations, this.words.termIds);
    const best = candidates[0]!.lexicalScore;
    const scored = candidates.map((candidate, rank) => {
      const features = rerankFeatures(side, soft, this.describeUnit(candidate.unit), {
        relativeScore: best > 0 ? candidate.lexicalScore / best : 0,
        rank,
        isPhrasing: this.isPhrasingUnit(candidate.unit),
      });
      let score = 0;
      for (let d = 0; d < features.length; d += 1) score += model.weights[d]! * features[d]!;
      return { candidate, score, rank };
    });
    scored.sort((a, b) => b.score - a.score || a.rank - b.rank);
    return scored.map((item) => item.candidate);
  }

  /** First-stage BM25 candidates (best `depth`, after `exclude`) with match-model features. */
  candidates(query: string, depth: number, exclude?: ReadonlySet<string>): ScoredCandidate[] {
    const analyzed = analyzeText(query, this.jieba);
    const queryWords = this.words.lookup(analyzed.words);
    const queryGrams = this.grams.lookup(analyzed.grams);
    const ranked = this.rank(
      [
        { signal: this.words, ids: queryWords, scale: 1 },
        { signal: this.grams, ids: queryGrams, scale: this.gramWeight },
      ],
      exclude,
    );
    const top = selectTop(ranked, depth);
    if (top.length === 0) return [];

    const queryLength = Math.max(1, analyzed.normalized.replace(/\s/g, '').length);
    const best = top[0]!.score;
    const second = top[1]?.score ?? 0;
    const wordIdf = (id: number): number => this.words.idfOf(id);
    const gramIdf = (id: number): number => this.grams.idfOf(id);
    return top.map((candidate, index) => {
      const words = weightedOverlap(queryWords, this.words.unitTerms[candidate.unit]!, wordIdf);
      const grams = weightedOverlap(queryGrams, this.grams.unitTerms[candidate.unit]!, gramIdf);
      const length = this.unitLength[candidate.unit]!;
      const features: Record<MatchFeature, number> = {
        wordRecall: words.recall,
        wordPrecision: words.precision,
        wordF1: harmonic(words.recall, words.precision),
        gramRecall: grams.recall,
        gramPrecision: grams.precision,
        gramF1: harmonic(grams.recall, grams.precision),
        lengthRatio: Math.min(length, queryLength) / Math.max(length, queryLength),
        relativeScore: best > 0 ? candidate.score / best : 0,
        reciprocalRank: 1 / (index + 1),
        scoreMargin: index === 0 && best > 0 ? (best - second) / best : 0,
        isPhrasing: PHRASING.has(this.unitField[candidate.unit]!) ? 1 : 0,
      };
      return {
        entry: candidate.entry,
        unit: candidate.unit,
        id: this.ids[candidate.entry]!,
        lexicalScore: candidate.score,
        features,
      };
    });
  }

  /** The re-ranker's view of a query: its side and, per distinct word, the word itself. */
  describeQuery(query: string): { side: RerankSide; words: string[] } {
    const analyzed = analyzeText(query, this.jieba);
    const words = [...new Set(analyzed.words)];
    const wordIds = this.words.lookup(words);
    const gramIds = this.grams.lookup(analyzed.grams);
    const side = describeSide(
      analyzed.normalized.replace(/\s/g, ''),
      wordIds,
      Float64Array.from(wordIds, (id) => this.words.idfOf(id)),
      gramIds,
      Float64Array.from(gramIds, (id) => this.grams.idfOf(id)),
    );
    return { side, words };
  }

  /** The re-ranker's view of one unit (cached: units do not change). */
  describeUnit(unit: number): RerankSide {
    let side = this.unitSides[unit];
    if (side === undefined) {
      const wordIds = this.words.unitTerms[unit]!;
      const gramIds = this.grams.unitTerms[unit]!;
      side = describeSide(
        this.unitCompact[unit]!,
        wordIds,
        Float64Array.from(wordIds, (id) => this.words.idfOf(id)),
        gramIds,
        Float64Array.from(gramIds, (id) => this.grams.idfOf(id)),
      );
      this.unitSides[unit] = side;
    }
    return side;
  }

  /** Word ids of this index's vocabulary (for association look-ups). */
  get wordIds(): ReadonlyMap<string, number> {
    return this.words.termIds;
  }

  isPhrasingUnit(unit: number): boolean {
    return PHRASING.has(this.unitField[unit]!);
  }

  /** Adds up the BM25 postings of each pass; an entry scores its best phrasing unit plus its best content unit. */
  private rank(
    passes: readonly Pass[],
    exclude: ReadonlySet<string> | undefined,
  ): { entry: number; score: number; unit: number }[] {
    const touched: number[] = [];
    for (const pass of passes) pass.signal.accumulate(pass.ids, pass.scale, this.scores, touched, this.marks);
    const touchedEntries: number[] = [];
    for (const unit of touched) {
      const score = this.scores[unit]!;
      this.scores[unit] = 0;
      this.marks[unit] = 0;
      const entry = this.unitEntry[unit]!;
      if (this.entryMarks[entry] === 0) {
        this.entryMarks[entry] = 1;
        this.entryBest[entry] = 0;
        this.entryBestUnit[entry] = unit;
        this.entryContent[entry] = 0;
        touchedEntries.push(entry);
      }
      if (PHRASING.has(this.unitField[unit]!)) {
        if (score > this.entryBest[entry]!) {
          this.entryBest[entry] = score;
          this.entryBestUnit[entry] = unit;
        }
      } else if (score > this.entryContent[entry]!) {
        this.entryContent[entry] = score;
        if (this.entryBest[entry] === 0) this.entryBestUnit[entry] = unit;
      }
    }
    const ranked: { entry: number; score: number; unit: number }[] = [];
    for (const entry of touchedEntries) {
      this.entryMarks[entry] = 0;
      if (exclude?.has(this.ids[entry]!)) continue;
      ranked.push({
        entry,
        score: this.entryBest[entry]! + this.entryContent[entry]!,
        unit: this.entryBestUnit[entry]!,
      });
    }
    return ranked;
  }
}

function selectTop<T extends { score: number }>(items: T[], count: number): T[] {
  if (items.length > count * 4) {
    // A numeric typed-array sort finds the cut-off faster than sorting thousands of objects.
    const sorted = Float64Array.from(items, (item) => item.score).sort();
    const threshold = sorted[sorted.length - count]!;
    items = items.filter((item) => item.score >= threshold);
  }
  return items.sort((a, b) => b.score - a.score).slice(0, count);
}

export { MATCH_FEATURES };
