import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startScriptedOpenAiServer,
  type ScriptedOpenAiServer,
  type ScriptedServerOptions,
} from '../../test/support/scripted-openai-server.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { createConfiguredEmbedder } from '../knowledge/embedder.js';
import { EmbeddingEvidence, type EmbeddingEvidenceReason } from '../knowledge/embedding-evidence.js';
import { importTelecomTenant, topicEmbedding } from './__fixtures__/telecom-tenant.js';
import { runTurn, type TurnDecision } from './run-turn.js';
import { normalizeText } from '../text/index.js';
import { embeddingSourceOf, gatherEmbeddingEvidence, type TurnEmbeddings } from './semantic-evidence.js';
import { understandTurn } from './turn-context.js';
import { TenantRuntimeCache, type TenantRuntime } from './tenant-runtime.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let server: ScriptedOpenAiServer;
let fault: ScriptedServerOptions['embeddingFault'] = undefined;
let runtime: TenantRuntime;

const services = {
  connector: { name: 'none', query: async () => [] },
  contact: {},
  now: new Date('2026-11-25T10:00:00+08:00'),
};

// Balance questions the lexical tier cannot place (out of scope, or the wrong entry first), in
// Simplified, Traditional and English; the fake model puts them on the balance topic.
const BALANCE = {
  'zh-CN': '账上还有钱吗',
  'zh-TW': '帳上還有錢嗎',
  en: 'is there money left on my account',
};
// Messages the lexical tier already answers, in the three languages.
const PLAIN = { 'zh-CN': '怎么开发票？', 'zh-TW': '怎麼開發票', en: 'how to get an invoice' };

beforeAll(async () => {
  database = await createTestDatabase();
  const tenantId = await importTelecomTenant(database.db);
  runtime = await new TenantRuntimeCache(database.db).get(tenantId);
  server = await startScriptedOpenAiServer([], {
    embeddingDimension: 8,
    embed: topicEmbedding,
    embeddingFault: (request) => fault?.(request),
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await database?.dispose();
});

function embeddings(degraded: Array<[EmbeddingEvidenceReason, string]>, timeoutMs = 400): TurnEmbeddings {
  const embedder = createConfiguredEmbedder({
    baseUrl: server.url,
    model: 'bge-m3',
    dimension: 0,
    timeoutMs,
    cacheSize: 1_000,
  })!;
  return {
    evidence: new EmbeddingEvidence(embedder, {
      prepareTimeoutMs: timeoutMs,
      onDegrade: (reason, detail) => degraded.push([reason, detail]),
    }),
    timeoutMs,
  };
}

const turn = (text: string, extra: Partial<typeof services> & { embeddings?: TurnEmbeddings } = {}) =>
  runTurn(runtime, { text, state: {} }, { ...services, ...extra });

/** The decision without its timings (they differ run to run). */
function decided(decision: TurnDecision) {
  const { stages: _stages, responders, embeddings: _embeddings, ...trace } = decision.trace;
  return {
    ...decision,
    trace: { ...trace, responders: responders.map(({ name, proposed }) => ({ name, proposed })) },
  };
}

describe('embeddings as evidence in a turn (scripted /v1/embeddings server)', () => {
  it('without an endpoint the turn is exactly the lexical tier: no embeddings trace, same decision', async () => {
    for (const text of [...Object.values(BALANCE), ...Object.values(PLAIN)]) {
      const first = await turn(text);
      const again = await turn(text, {});
      expect(first.trace.embeddings).toBeUndefined();
      expect(decided(again)).toEqual(decided(first));
    }
  });

  it('healthy: FAQ vectors are computed once, and the message vector lifts the right entry (zh-CN, zh-TW, en)', async () => {
    fault = undefined;
    const degraded: Array<[EmbeddingEvidenceReason, string]> = [];
    const configured = embeddings(degraded, 2_000);
    for (const [language, text] of Object.entries(BALANCE)) {
      const lexical = await turn(text);
      const withVectors = await turn(text, { embeddings: configured });
      expect(withVectors.trace.embeddings, language).toMatchObject({
        model: 'bge-m3',
        used: true,
        bestFaq: { id: 'faq-balance' },
      });
      expect(withVectors.trace.understanding.intent, language).toBe('faq-balance');
      const lexicalBalance =
        lexical.trace.understanding.alternatives.find((alternative) => alternative.intent === 'faq-balance')
          ?.confidence ?? 0;
      expect(withVectors.trace.understanding.confidence, language).toBeGreaterThan(lexicalBalance);
      expect(withVectors.trace.understanding.reasons.at(-1), language).toMatch(/^embeddings: faq-balance cosine/);
      // Under the gate the customer is offered the right question (or answered when the fused score reaches it).
      const offered = withVectors.nextState.clarify?.map((option) => option.intent) ?? [withVectors.intent];
      expect(offered, language).toContain('faq-balance');
    }
    // A plain question keeps its answer, and agreement does not lower it.
    for (const [language, text] of Object.entries(PLAIN)) {
      const lexical = await turn(text);
      const withVectors = await turn(text, { embeddings: configured });
      expect(withVectors.intent, language).toBe(lexical.intent);
      expect(withVectors.trace.understanding.confidence, language).toBeGreaterThanOrEqual(
        lexical.trace.understanding.confidence,
      );
    }
    expect(degraded).toEqual([]);
    // Each FAQ phrasing and passage was embedded once (then cached per text and model).
    const embedded = server.embeddingRequests.flatMap((request) => (request.body as { input: string[] }).input);
    expect(embedded.filter((text) => text === '怎么查询话费余额？')).toHaveLength(1);
  });

  it('in finance and medical the vectors never raise confidence (S6)', async () => {
    fault = undefined;
    const configured = embeddings([], 2_000);
    const finance: TenantRuntime = { ...runtime, domain: 'finance' };
    for (const text of Object.values(BALANCE)) {
      const lexical = await runTurn(finance, { text, state: {} }, services);
      const withVectors = await runTurn(finance, { text, state: {} }, { ...services, embeddings: configured });
      expect(withVectors.trace.embeddings?.used, text).toBe(true);
      expect(withVectors.trace.understanding.confidence, text).toBeLessThanOrEqual(
        Math.max(0, ...lexical.trace.understanding.alternatives.map((alternative) => alternative.confidence)),
      );
    }
  });

  it('retrieval: the turn passages are re-ranked with the vectors, matchScore fused (zh-CN, zh-TW, en)', async () => {
    fault = undefined;
    const configured = embeddings([], 2_000);
    for (const text of ['报销要用的票据怎么弄', '報銷要用的票據怎麼弄', 'I need a receipt for my expenses']) {
      const lexical = understandTurn(runtime, { text, state: {} }, services, normalizeText(text)).knowledgeHits();
      const evidence = await gatherEmbeddingEvidence(runtime, text, configured);
      expect(evidence?.trace.used, text).toBe(true);
      const context = understandTurn(runtime, { text, state: {} }, services, normalizeText(text), evidence);
      const hits = context.knowledgeHits();
      const rank = (list: readonly { id: string }[]) => {
        const found = list.findIndex((hit) => hit.id === 'faq:faq-invoice');
        return found < 0 ? Infinity : found;
      };
      // The passage the vectors agree with moves up (first in Chinese), with a higher matchScore.
      expect(rank(hits), text).toBeLessThanOrEqual(rank(lexical));
      if (!text.startsWith('I ')) expect(rank(hits), text).toBe(0);
      const before = lexical.find((hit) => hit.id === 'faq:faq-invoice')?.matchScore ?? 0;
      expect(hits[rank(hits)]!.matchScore, text).toBeGreaterThan(before);
      // The lexical winner the vectors disagree with loses matchScore.
      const lexicalBest = lexical[0]!;
      if (lexicalBest.id !== 'faq:faq-invoice')
        expect(hits.find((hit) => hit.id === lexicalBest.id)?.matchScore ?? 0, text).toBeLessThan(
          lexicalBest.matchScore,
        );
      expect(hits.length, text).toBeLessThanOrEqual(5);
      // What the trace shows is what was fused.
      expect(
        context.retrieval().map((hit) => hit.id),
        text,
      ).toEqual(hits.map((hit) => hit.id));
    }
  });

  for (const [name, scripted, reason] of [
    ['down (HTTP 503)', () => ({ kind: 'error', status: 503 }) as const, 'unavailable'],
    ['slow (never answers)', () => ({ kind: 'hang' }) as const, 'timeout'],
    ['wrong dimension', () => ({ kind: 'dimension', dimension: 4 }) as const, 'wrong_dimension'],
  ] as const) {
    it(`an endpoint that is ${name} degrades to the lexical tier with a trace reason and a metric; the turn never fails`, async () => {
      const degraded: Array<[EmbeddingEvidenceReason, string]> = [];
      const configured = embeddings(degraded, 300);
      // The tenant's vectors are ready (healthy at load); then the endpoint breaks.
      fault = undefined;
      await configured.evidence.prepare(runtime, () => embeddingSourceOf(runtime));
      const warm = await turn(BALANCE['zh-CN'], { embeddings: configured });
      expect(warm.trace.embeddings?.used).toBe(true);
      fault = scripted;
      for (const text of [BALANCE['zh-TW'], BALANCE.en, '发票怎么开呀']) {
        const started = Date.now();
        const result = await turn(text, { embeddings: configured });
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(result.trace.embeddings).toMatchObject({ used: false, reason });
        expect(decided(result)).toEqual(decided(await turn(text)));
      }
      expect(degraded.map(([found]) => found)).toEqual([reason, reason, reason]);
      fault = undefined;
    });
  }

  it('an endpoint down from the start: the tenant vectors fail, turns degrade and stay lexical', async () => {
    fault = () => ({ kind: 'error', status: 500 });
    const degraded: Array<[EmbeddingEvidenceReason, string]> = [];
    const configured = embeddings(degraded, 300);
    const result = await turn(BALANCE['zh-CN'], { embeddings: configured });
    expect(result.trace.embeddings).toMatchObject({ used: false });
    expect(decided(result)).toEqual(decided(await turn(BALANCE['zh-CN'])));
    expect(degraded).toHaveLength(1);
    fault = undefined;
  });
});
