import type { EmbeddingEvidence, EmbeddingSource, TurnEmbedding } from '../knowledge/embedding-evidence.js';
import { OUT_OF_SCOPE_FLOOR } from './responders/out-of-scope-floor.js';
import { isSensitiveDomain } from './sensitive-domains.js';
import type { TenantRuntime } from './tenant-runtime.js';
import type { Understanding } from './understander.js';

/** The embeddings a turn may use (the server's configured endpoint), and how long a turn waits for them. */
export interface TurnEmbeddings {
  evidence: EmbeddingEvidence;
  /** Longest wait for the message's vector (and the tenant's, on its first turns). */
  timeoutMs: number;
}

/** Squashed cosine from which the vectors count as "something similar" (σ midpoint: cosine 0.8 by default). */
const SIMILAR = 0.5;
/** Alternatives kept in a fused understanding. */
const MAX_ALTERNATIVES = 5;

/** What of a tenant runtime is embedded: each FAQ entry's phrasings, each passage's title and text. */
export function embeddingSourceOf(runtime: TenantRuntime): EmbeddingSource {
  return {
    faq: [...runtime.faq.values()].map((faq) => ({ id: faq.id, phrasings: faq.phrasings ?? [faq.question] })),
    passages: [...runtime.passages.values()].map((passage) => ({
      id: passage.id,
      text: passage.title ? `${passage.title}\n${passage.text}` : passage.text,
    })),
  };
}

/**
 * The message's vector evidence for this turn, or null without embeddings (then the turn is
 * exactly the lexical tier's). Never throws and waits at most `timeoutMs`.
 */
export async function gatherEmbeddingEvidence(
  runtime: TenantRuntime,
  text: string,
  embeddings: TurnEmbeddings | undefined,
): Promise<TurnEmbedding | null> {
  if (!embeddings || text.trim().length === 0) return null;
  return embeddings.evidence.forTurn(
    runtime,
    () => embeddingSourceOf(runtime),
    text.slice(0, 2_000),
    embeddings.timeoutMs,
  );
}

/**
 * The lexical reading with the vector evidence added, for FAQ-only tenants (the few-shot matcher;
 * intents have no phrasing vectors here). The winner and alternatives follow the fused scores; a
 * message the matcher put out of scope comes back in scope when the fused score reaches the
 * decline floor (so its likely questions are offered). Unchanged when the vectors were not used.
 */
export function withEmbeddingEvidence(
  understanding: Understanding,
  evidence: TurnEmbedding,
  runtime: TenantRuntime,
): Understanding {
  if (!evidence.trace.used || runtime.intents.size > 0 || runtime.faq.size === 0) return understanding;
  const lexical = understanding.alternatives
    .filter((alternative) => runtime.faq.has(alternative.intent))
    .map((alternative) => ({ id: alternative.intent, score: alternative.confidence }));
  const fused = evidence.fuseFaq(lexical);
  const winner = fused[0];
  if (!winner) return understanding;
  // In finance and medical (S6) the uncalibrated vectors may reorder and lower, never raise, confidence.
  const confidence = isSensitiveDomain(runtime.domain) ? Math.min(winner.score, winner.lexical) : round(winner.score);
  const outOfScope = understanding.outOfScope && confidence < OUT_OF_SCOPE_FLOOR;
  const from = understanding.intent;
  if (from !== winner.id) evidence.trace.changed = { from, to: winner.id };
  const note =
    `embeddings: ${winner.id} cosine ${winner.cosine ?? 'n/a'}, ` +
    `confidence ${understanding.confidence.toFixed(3)} → ${confidence.toFixed(3)}`;
  return {
    ...understanding,
    intent: winner.id,
    confidence,
    outOfScope,
    alternatives: fused.slice(0, MAX_ALTERNATIVES).map((candidate, index) => ({
      intent: candidate.id,
      confidence: index === 0 ? confidence : round(candidate.score),
    })),
    // A message the vectors find similar to an entry is no longer "nothing similar": its likely
    // questions may be offered, even with a decline.
    reasons: [
      ...understanding.reasons.filter(
        (reason) => (winner.semantic ?? 0) < SIMILAR || !/no similar phrasing|no known word/.test(reason),
      ),
      note,
    ],
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
