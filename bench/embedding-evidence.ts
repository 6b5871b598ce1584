// Plumbing check for embeddings as evidence (issue 17 §3): NOT an accuracy benchmark.
//
// A small FAQ-only telecom tenant (src/engine/__fixtures__/telecom-tenant.ts) answers 30 messages
// (zh-Hans, zh-Hant, English) three ways: without embeddings, with a scripted /v1/embeddings server
// on 127.0.0.1 serving a deterministic *fake* model (a keyword → topic table), and with that
// server answering 503. It reports whether the evidence reached the turns (vectors used, winners
// changed, suggestions offered), what it cost in time, and that the broken endpoint left every
// decision exactly as without embeddings. The fake model knows the test topics by construction, so
// any "lift" here says nothing about a real model: none is claimed.
//
//   npx tsx bench/embedding-evidence.ts   → bench/results/embedding-evidence.md, .json
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startScriptedOpenAiServer } from '../test/support/scripted-openai-server.js';
import { importTelecomTenant, topicEmbedding } from '../src/engine/__fixtures__/telecom-tenant.js';
import { runTurn, type TurnDecision } from '../src/engine/run-turn.js';
import type { TurnEmbeddings } from '../src/engine/semantic-evidence.js';
import { TenantRuntimeCache } from '../src/engine/tenant-runtime.js';
import { createConfiguredEmbedder } from '../src/knowledge/embedder.js';
import { EmbeddingEvidence, type EmbeddingEvidenceReason } from '../src/knowledge/embedding-evidence.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';

const MESSAGES = [
  '帮我看看我这个号现在还剩几块钱话费',
  '幫我看看我這個號現在還剩幾塊錢話費',
  'what credit do I have left on this number',
  '账上还有钱吗',
  '帳上還有錢嗎',
  'is there money left on my account',
  '我手机还能打多久电话',
  '我手機還能打多久電話',
  'how much money is on my phone',
  '怎么开发票？',
  '怎麼開發票',
  'how to get an invoice',
  '报销要用的票据怎么弄',
  '報銷要用的票據怎麼弄',
  'I need a receipt for my expenses',
  '流量不够了',
  '流量不夠了',
  'my data ran out',
  '想换个套餐',
  '想換個套餐',
  'can I switch plans',
  '去日本手机能用吗',
  '去日本手機能用嗎',
  'will my phone work abroad',
  '出国漫游怎么开通？',
  '今天天气怎么样',
  '今天天氣怎麼樣',
  'what is the weather today',
  '你们公司在哪',
  'where is your office',
];

const here = dirname(fileURLToPath(import.meta.url));
const services = {
  connector: { name: 'none', query: async () => [] },
  contact: {},
  now: new Date('2026-11-25T10:00:00+08:00'),
};

function comparable(decision: TurnDecision) {
  const { stages: _stages, responders, embeddings: _embeddings, ...trace } = decision.trace;
  return JSON.stringify({ ...decision, trace: { ...trace, responders: responders.map((r) => [r.name, r.proposed]) } });
}

async function main() {
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  await migrateToLatest(database.db);
  const tenantId = await importTelecomTenant(database.db, 'telecom-bench');
  const runtime = await new TenantRuntimeCache(database.db).get(tenantId);
  let down = false;
  const server = await startScriptedOpenAiServer([], {
    embeddingDimension: 8,
    embed: topicEmbedding,
    embeddingFault: () => (down ? { kind: 'error', status: 503 } : undefined),
  });
  const degraded: EmbeddingEvidenceReason[] = [];
  const configure = (): TurnEmbeddings => ({
    evidence: new EmbeddingEvidence(
      createConfiguredEmbedder({
        baseUrl: server.url,
        model: 'fake-topic',
        dimension: 0,
        timeoutMs: 1_500,
        cacheSize: 1_000,
      })!,
      { onDegrade: (reason) => degraded.push(reason) },
    ),
    timeoutMs: 1_500,
  });
  const run = async (embeddings?: TurnEmbeddings) => {
    const decisions: TurnDecision[] = [];
    const times: number[] = [];
    for (const text of MESSAGES) {
      const started = performance.now();
      decisions.push(
        await runTurn(runtime, { text, state: {} }, { ...services, ...(embeddings ? { embeddings } : {}) }),
      );
      times.push(performance.now() - started);
    }
    return { decisions, times };
  };
  // Warm-up (jieba, OpenCC, the tenant vectors), then the measured runs.
  await run();
  const healthy = configure();
  const preparedAt = performance.now();
  await run(healthy);
  const firstTurnsMs = performance.now() - preparedAt;
  const lexical = await run();
  const withVectors = await run(healthy);
  down = true;
  const broken = await run(configure());
  await server.close();
  await database.close();

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const offered = (decision: TurnDecision) =>
    decision.route === 'auto' && (decision.nextState.clarify?.length ?? 0) > 0;
  const rows = MESSAGES.map((text, index) => {
    const before = lexical.decisions[index]!;
    const after = withVectors.decisions[index]!;
    return {
      text,
      lexical: {
        intent: before.trace.understanding.intent,
        confidence: before.trace.understanding.confidence,
        tier: before.tier,
        suggestions: offered(before),
      },
      embeddings: {
        intent: after.trace.understanding.intent,
        confidence: after.trace.understanding.confidence,
        tier: after.tier,
        suggestions: offered(after),
        used: after.trace.embeddings?.used ?? false,
        bestFaq: after.trace.embeddings?.bestFaq?.id ?? null,
      },
    };
  });
  const summary = {
    messages: MESSAGES.length,
    vectorsUsed: withVectors.decisions.filter((decision) => decision.trace.embeddings?.used).length,
    winnerChanged: rows.filter((row) => row.lexical.intent !== row.embeddings.intent).length,
    confidenceRaised: rows.filter((row) => row.embeddings.confidence > row.lexical.confidence).length,
    confidenceLowered: rows.filter((row) => row.embeddings.confidence < row.lexical.confidence).length,
    routeChanged: rows.filter(
      (_, index) =>
        lexical.decisions[index]!.route !== withVectors.decisions[index]!.route ||
        lexical.decisions[index]!.tier !== withVectors.decisions[index]!.tier,
    ).length,
    brokenEndpointIdenticalDecisions: broken.decisions.filter(
      (decision, index) => comparable(decision) === comparable(lexical.decisions[index]!),
    ).length,
    brokenEndpointDegradeReasons: Object.fromEntries(
      [...new Set(degraded)].map((reason) => [reason, degraded.filter((found) => found === reason).length]),
    ),
    turnMsMedian: {
      lexical: round(median(lexical.times)),
      embeddings: round(median(withVectors.times)),
      endpointDown: round(median(broken.times)),
    },
    firstPassWithVectorsMs: round(firstTurnsMs),
    machine: { cpus: cpus().length, loadavg: loadavg().map(round) },
  };
  writeFileSync(join(here, 'results', 'embedding-evidence.json'), `${JSON.stringify({ summary, rows }, null, 2)}\n`);
  const table = rows
    .map(
      (row) =>
        `| ${row.text} | ${row.lexical.intent ?? '–'} ${row.lexical.confidence.toFixed(2)} ${row.lexical.tier}${row.lexical.suggestions ? ' (suggest)' : ''} | ${row.embeddings.intent ?? '–'} ${row.embeddings.confidence.toFixed(2)} ${row.embeddings.tier}${row.embeddings.suggestions ? ' (suggest)' : ''} |`,
    )
    .join('\n');
  const markdown = `# Embeddings as evidence: plumbing check (not accuracy)

\`npx tsx bench/embedding-evidence.ts\` · ${new Date().toISOString()} · ${summary.machine.cpus} CPUs, load ${summary.machine.loadavg.join(' / ')}

A fake, deterministic embedding model (a keyword → topic table written for these very messages,
served by a scripted /v1/embeddings server on 127.0.0.1) is used to check that vectors reach the
turn, move the reading, and that a broken endpoint changes nothing. **These figures say nothing
about accuracy with a real model; none is claimed.**

| check | value |
|---|---|
| messages (zh-Hans, zh-Hant, English) | ${summary.messages} |
| turns that used the vectors | ${summary.vectorsUsed} |
| winner changed by the evidence | ${summary.winnerChanged} |
| confidence raised / lowered | ${summary.confidenceRaised} / ${summary.confidenceLowered} |
| route or tier changed | ${summary.routeChanged} |
| endpoint answering 503: decisions identical to no embeddings | ${summary.brokenEndpointIdenticalDecisions} / ${summary.messages} |
| degrade reasons counted (metric) | ${JSON.stringify(summary.brokenEndpointDegradeReasons)} |
| turn time, median ms: lexical / with vectors (message vectors cached by the first pass) / endpoint down (503 from 127.0.0.1) | ${summary.turnMsMedian.lexical} / ${summary.turnMsMedian.embeddings} / ${summary.turnMsMedian.endpointDown} |
| first pass with vectors (embeds the tenant's FAQ + passages), ms for all ${summary.messages} turns | ${summary.firstPassWithVectorsMs} |

| message | lexical: intent conf tier | with fake vectors: intent conf tier |
|---|---|---|
${table}
`;
  writeFileSync(join(here, 'results', 'embedding-evidence.md'), markdown);
  console.log(markdown);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

await main();
