import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedOpenAiServer, type ScriptedOpenAiServer } from '../../test/support/scripted-openai-server.js';
import { createConfiguredEmbedder } from './embedder.js';
import { EmbeddingEvidence, type EmbeddingEvidenceReason, type EmbeddingSource } from './embedding-evidence.js';

// A fake two-topic model for the scripted server: refund texts on one axis, delivery on another.
function twoTopics(text: string): number[] {
  if (/退款|退钱|退錢|refund/i.test(text)) return [1, 0.1, 0, 0];
  if (/快递|快遞|送到|deliver/i.test(text)) return [0.1, 1, 0, 0];
  return [0, 0, 1, 0.2];
}

let server: ScriptedOpenAiServer;
let slow = false;
beforeAll(async () => {
  server = await startScriptedOpenAiServer([], {
    embeddingDimension: 4,
    embed: twoTopics,
    embeddingFault: () => (slow ? { kind: 'hang' } : undefined),
  });
});
afterAll(async () => server?.close());

const SOURCE: EmbeddingSource = {
  faq: [
    { id: 'faq-refund', phrasings: ['退款多久到账', '退錢要多久', 'when is my refund'] },
    { id: 'faq-delivery', phrasings: ['快递几天送到', '快遞幾天到', 'how long is delivery'] },
    { id: 'faq-hours', phrasings: ['几点上班', 'opening hours'] },
  ],
  passages: [
    { id: 'doc:refund#0', text: '退款说明\n验收后 48 小时内原路退款。' },
    { id: 'doc:delivery#0', text: '配送\n快递 3 天内送到。' },
  ],
};

function evidence(degraded: EmbeddingEvidenceReason[] = [], timeoutMs = 2_000) {
  const embedder = createConfiguredEmbedder({
    baseUrl: server.url,
    model: 'fake',
    dimension: 0,
    timeoutMs,
    cacheSize: 100,
  })!;
  return new EmbeddingEvidence(embedder, { onDegrade: (reason) => degraded.push(reason), prepareTimeoutMs: timeoutMs });
}

describe('EmbeddingEvidence (scripted /v1/embeddings server, fake two-topic model)', () => {
  it('adds vector evidence to FAQ candidates: agreement raises, disagreement lowers, unrelated adds nothing', async () => {
    slow = false;
    const key = {};
    const turn = await evidence().forTurn(key, () => SOURCE, '钱什么时候退回来 refund', 2_000);
    expect(turn.trace).toMatchObject({ used: true, model: 'fake', bestFaq: { id: 'faq-refund' } });
    // The lexical tier put delivery first with 0.6: the vectors prefer refund and overturn it.
    const fused = turn.fuseFaq([
      { id: 'faq-delivery', score: 0.6 },
      { id: 'faq-refund', score: 0.3 },
    ]);
    expect(fused[0]).toMatchObject({ id: 'faq-refund', lexical: 0.3 });
    expect(fused[0]!.score).toBeGreaterThan(0.3);
    expect(fused.find((candidate) => candidate.id === 'faq-delivery')!.score).toBeLessThan(0.6);
    // An entry the lexical tier did not list enters only when the vectors find it similar.
    expect(fused.map((candidate) => candidate.id)).not.toContain('faq-hours');
  });

  it('re-ranks passages, Traditional and English included, and a candidate only the vectors found enters below 0.3', async () => {
    slow = false;
    const evidenceOf = evidence();
    for (const text of ['快遞什麼時候送到', 'when will it be delivered']) {
      const turn = await evidenceOf.forTurn({}, () => SOURCE, text, 2_000);
      const hits = turn.rerankHits([{ id: 'doc:refund#0', score: 3, matchScore: 0.2 }], 5);
      expect(hits[0]?.id, text).toBe('doc:delivery#0');
      expect(hits[0]!.matchScore, text).toBeLessThanOrEqual(0.3);
      expect(hits[1]).toMatchObject({ id: 'doc:refund#0', score: 3 });
    }
  });

  it('degrades (never throws) when slow, and counts one reason per turn', async () => {
    const degraded: EmbeddingEvidenceReason[] = [];
    const evidenceOf = evidence(degraded, 200);
    const key = {};
    await evidenceOf.prepare(key, () => SOURCE);
    slow = true;
    const turn = await evidenceOf.forTurn(key, () => SOURCE, '退款 refund please', 200);
    slow = false;
    expect(turn.trace).toMatchObject({ used: false, reason: 'timeout' });
    const lexical = [{ id: 'faq-delivery', score: 0.6 }];
    expect(turn.fuseFaq(lexical).map(({ id, score }) => ({ id, score }))).toEqual(lexical);
    expect(degraded).toEqual(['timeout']);
  });
});
