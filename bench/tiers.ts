/**
 * Tier mix and cost: replays a mixed set of demo conversations through the real pipeline (light
 * tier, playbooks, LLM tier against a scripted OpenAI-compatible server on 127.0.0.1) and
 * reports the share of turns per tier and the cost saved against sending every turn to the LLM.
 *
 *   npm run bench:tiers
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { loadPack } from '../src/packs/index.js';
import { costReport } from '../src/reports/index.js';
import { createKefu } from '../src/server/kefu.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import { requireTenantBySlug } from '../src/tenancy/index.js';
import { startScriptedOpenAiServer } from '../test/support/scripted-openai-server.js';

// Every scripted LLM answer cites the first passage and reports this usage: a typical grounded
// answer with five retrieved passages in the prompt.
const LLM_USAGE = { prompt_tokens: 900, completion_tokens: 120 };
const server = await startScriptedOpenAiServer(() => ({ text: '根据相关规定，具体如下[1]。', usage: LLM_USAGE }));
const database = await openDatabase({ kind: 'pglite', dataDir: null });
await migrateToLatest(database.db);
const config = loadConfig({
  env: {
    KEFU_DEMO: 'true',
    KEFU_TODAY: '2026-11-25',
    LOG_LEVEL: 'silent',
    KEFU_LLM_BASE_URL: server.url,
    KEFU_LLM_MODEL: 'scripted',
  },
});
const kefu = await createKefu(config, { database, logger: false });

/** The conversations replayed per tenant: the demo dialogues, FAQ paraphrases, multi-part and off-topic questions. */
function conversationsFor(slug: string): string[][] {
  const { pack } = loadPack(path.resolve('examples/packs', slug));
  const dialogue = readFileSync(path.resolve('examples/dialogues', `${slug}.txt`), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const paraphrases = pack!.faq.map((entry) => [entry.alternatives[entry.alternatives.length - 1] ?? entry.question]);
  const multiPart: string[][] = [];
  for (let index = 0; index + 1 < pack!.faq.length; index += 4)
    multiPart.push([`${pack!.faq[index]!.question}另外，${pack!.faq[index + 1]!.question}`]);
  const offTopic = [['今天北京天气怎么样'], ['给我讲个笑话'], ['转人工'], ['What is the capital of France?']];
  return [dialogue, ...paraphrases, ...multiPart, ...offTopic];
}

const results: Array<{ slug: string; report: Awaited<ReturnType<typeof costReport>>; turns: number }> = [];
for (const slug of ['shop-zh', 'bank-zh']) {
  const tenant = await requireTenantBySlug(database.db, slug);
  let turns = 0;
  for (const messages of conversationsFor(slug)) {
    const conversation = await kefu.conversations.createConversation(tenant.id, {
      channel: { kind: 'api', name: 'bench' },
    });
    for (const text of messages) {
      await kefu.conversations.postCustomerMessage(tenant.id, conversation.id, { text });
      turns += 1;
    }
  }
  const report = await costReport(database.db, tenant.id, {
    inputPricePer1k: config.llm.inputPricePer1k,
    outputPricePer1k: config.llm.outputPricePer1k,
  });
  results.push({ slug, report, turns });
}
await kefu.close();
await database.close();
await server.close();

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const tiers = ['light', 'playbook', 'llm', 'fallback', 'human'];
let markdown = `# Tier mix and cost (S14)

\`npm run bench:tiers\` — ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}.

Replayed per demo tenant: its demo dialogue (examples/dialogues), one FAQ paraphrase per entry, multi-part
questions (two FAQ questions joined with 另外), and four off-topic or 转人工 messages. The LLM tier runs
against a scripted OpenAI-compatible server that answers every call with a grounded, cited answer using
${LLM_USAGE.prompt_tokens} input and ${LLM_USAGE.completion_tokens} output tokens; prices ¥${config.llm.inputPricePer1k} / ¥${config.llm.outputPricePer1k}
per 1,000 input / output tokens (KEFU_LLM_*_PRICE_PER_1K). The all-LLM baseline charges every turn the
measured average cost of the LLM turns. The FAQ paraphrases are phrasings from the tenants' own FAQ
sheets (the classifier's training data), so the light-tier share here is an upper bound for real traffic.

| tenant | turns | ${tiers.join(' | ')} | cost | all-LLM baseline | saved |
|---|---:|${tiers.map(() => '---:').join('|')}|---:|---:|---:|
`;
for (const { slug, report } of results) {
  const share = (tier: string) => percent(report.tiers.find((entry) => entry.tier === tier)?.share ?? 0);
  markdown += `| ${slug} | ${report.turns} | ${tiers.map(share).join(' | ')} | ¥${report.costYuan.toFixed(4)} | ¥${report.allLlmBaselineYuan.toFixed(4)} | ${percent(report.savingShare)} |\n`;
}
markdown += `
Routes other than \`auto\` (a person answers or approves) are counted under the tier that decided them:
\`human\` is a handoff decided by the router (gate, hand-over rule, human-only intent, failed LLM), \`playbook\`
includes playbook handoffs. Raw reports: bench/results/tiers.json.
`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/tiers.md', markdown);
writeFileSync('bench/results/tiers.json', `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(markdown);
process.exit(0);
