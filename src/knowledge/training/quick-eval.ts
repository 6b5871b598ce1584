// Development helper: first-stage vs re-ranked metrics on a retrieval view.
// npx tsx src/knowledge/training/quick-eval.ts [kb.jsonl] [queries.jsonl] [json-options]
import { z } from 'zod';
import { MATCH_FEATURES } from '../match-features.js';
import { LexicalIndex } from '../retrieval-index.js';
import {
  checkKbRow,
  checkQueryRow,
  evaluateRanking,
  readJsonl,
  type KbRow,
  type QueryRow,
} from '../retrieval-evaluation.js';

const kbFile = process.argv[2] ?? '/work/shared/datasets/bq_corpus/dev_kb.jsonl';
const queryFile = process.argv[3] ?? '/work/shared/datasets/bq_corpus/dev_queries.jsonl';
// The LexicalOptions that can be written as JSON.
const JsonLexicalOptions = z.strictObject({
  boosts: z.partialRecord(z.enum(['question', 'alternatives', 'title', 'body', 'answer']), z.number()).optional(),
  gramWeight: z.number().optional(),
  k1: z.number().optional(),
  b: z.number().optional(),
  model: z.object({ bias: z.number(), weights: z.record(z.enum(MATCH_FEATURES), z.number()) }).optional(),
  reranker: z.literal(false).optional(),
  userDictionary: z.array(z.string()).optional(),
});
const options = JsonLexicalOptions.parse(JSON.parse(process.argv[4] ?? '{}'));
const kb = await readJsonl<KbRow>(kbFile, checkKbRow);
const queries = await readJsonl<QueryRow>(queryFile, checkQueryRow);
const started = performance.now();
const index = new LexicalIndex(
  kb.map((row) => ({ id: row.id, question: row.question })),
  options,
);
const indexMs = performance.now() - started;
const first = evaluateRanking(queries, (q, k, ex) => index.candidates(q, k, ex).map((c) => c.id), 10, indexMs);
const reranked = evaluateRanking(
  queries,
  (q, k, ex) => index.search(q, { k, exclude: ex }).map((h) => h.id),
  10,
  indexMs,
);
console.log(JSON.stringify({ options, first, reranked }));
