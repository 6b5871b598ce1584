import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFaqSheet } from '../cli/commands/eval-faq.js';
import { loadConfig } from '../config/index.js';
import { guardMessage } from '../guard/handover/turn-guard.js';
import { importPack, type TenantPack } from '../packs/index.js';
import { createKefu, type Kefu } from '../server/kefu.js';
import { migrateToLatest, openDatabase, type Database } from '../store/database.js';
import { activateRun, exportExamples, labelTurn, retrain, reviewQueue } from './trainer-service.js';

// A day-one tenant (an FAQ sheet and nothing else: the few-shot matcher, no training worker): the
// trainer's loop at the service level, on travel-zh. The demo tenants (classifier) are covered
// through HTTP in src/server/routes/trainer.test.ts and in the browser.

const faq = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/travel-zh/faq.csv');

const pack: TenantPack = {
  tenant: {
    slug: 'trainer-travel',
    name: 'trainer-travel',
    locale: 'zh-CN',
    domain: 'travel',
    timezone: 'Asia/Shanghai',
    messages: {},
    channels: [],
  },
  intents: [],
  faq: readFaqSheet(faq),
  documents: [],
  playbooks: [],
  tables: [],
  dictionary: [],
  style: null,
} as unknown as TenantPack;

// Customer phrasings with the FAQ entry they mean, in zh-Hans, zh-Hant and en. Which of them the
// day-one matcher fails is measured below, not assumed.
const PHRASINGS = [
  { text: '我家狗能一起上飞机不', faq: 'faq-28' },
  { text: '钱退到哪了还没看到', faq: 'faq-24' },
  { text: '小孩单独坐飞机有人照顾吗', faq: 'faq-27' },
  { text: '大肚子能坐飞机吗要办什么', faq: 'faq-27' },
  { text: '住酒店要先压一笔錢嗎', faq: 'faq-36' },
  { text: '學生買火車票有優惠嗎', faq: 'faq-30' },
  { text: '簽證被拒了錢能退嗎', faq: 'faq-33' },
  { text: 'Can I bring my cat on the plane?', faq: 'faq-28' },
  { text: 'my refund still has not arrived', faq: 'faq-24' },
  { text: 'how do I pick a seat', faq: 'faq-26' },
];

describe.skipIf(Boolean(process.env.DATABASE_URL))("trainer's loop on a few-shot (FAQ-only) tenant", () => {
  let database: Database;
  let kefu: Kefu;
  let tenantId: string;

  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: null });
    await migrateToLatest(database.db);
    tenantId = (await importPack(database.db, pack, { actor: 'test' })).tenantId;
    kefu = await createKefu(loadConfig({ env: { KEFU_DEMO: 'false', LOG_LEVEL: 'silent' } }), {
      database,
      logger: false,
    });
  }, 120_000);

  afterAll(async () => {
    await kefu?.close();
    await database?.close().catch(() => undefined);
  });

  const answers = async (text: string) => {
    const conversation = await kefu.conversations.createConversation(tenantId, { channel: { kind: 'api' } });
    const posted = await kefu.conversations.postCustomerMessage(tenantId, conversation.id, { text });
    return posted.turn!;
  };
  const runtime = () => kefu.runtimes.get(tenantId);
  const answered = async (text: string, faqId: string) => {
    const turn = await answers(text);
    return (
      turn.intent === faqId &&
      turn.route === 'auto' &&
      turn.tier === 'light' &&
      turn.confidence >= (await runtime()).gate
    );
  };

  it('labels the turns the matcher fails, retrains in under a second, and serves what the comparison measured', async () => {
    expect((await runtime()).model.kind).toBe('fewshot');
    const failed: Array<{ text: string; faq: string; traceId: string }> = [];
    for (const phrasing of PHRASINGS) {
      const turn = await answers(phrasing.text);
      const right = turn.intent === phrasing.faq && turn.tier === 'light' && turn.confidence >= (await runtime()).gate;
      if (!right) failed.push({ ...phrasing, traceId: turn.traceId });
    }
    console.info(`travel-zh day one fails ${failed.length} of ${PHRASINGS.length} phrasings`);
    expect(failed.length).toBeGreaterThanOrEqual(3);

    const queue = await reviewQueue(database.db, tenantId, { limit: 500 });
    for (const entry of failed) expect(queue.items.map((item) => item.traceId)).toContain(entry.traceId);
    for (const entry of failed)
      await labelTurn(
        database.db,
        tenantId,
        entry.traceId,
        { kind: 'faq', target: entry.faq, expectedVersion: 0 },
        'test',
      );

    const run = await retrain(database.db, tenantId, 'classifier', 'test');
    console.info(
      `few-shot retrain: ${run.ms} ms in all, training ${run.trainMs} ms; accuracy on ${run.regressionSize} labelled turns: active ${run.activeAccuracy}, candidate ${run.candidateAccuracy}`,
    );
    expect(run.modelKind).toBe('fewshot');
    expect(run.regressionSize).toBe(failed.length);
    expect(run.examples).toBe(failed.length);
    expect(run.activeAccuracy).toBe(0);
    // Each labelled text is now a phrasing of its FAQ entry: the candidate answers it (confident,
    // the right entry) unless the hand-over guard sends that message to a person anyway.
    const rt = await runtime();
    for (const result of run.results!)
      expect(result.candidate, result.text).toBe(
        guardMessage(result.text, rt.handover, rt.locale) ? null : result.expected,
      );
    expect(run.candidateAccuracy!).toBeGreaterThan(0.5);
    // The few-shot matcher retrains in under a second (no worker).
    expect(run.trainMs).toBeLessThan(1000);
    // The candidate is not live.
    expect(await answered(failed[0]!.text, failed[0]!.faq)).toBe(false);
    const alternatives = async () =>
      (
        await database.db
          .selectFrom('faq_entries')
          .select(['external_id', 'alternatives'])
          .where('tenant_id', '=', tenantId)
          .execute()
      ).flatMap((row) => row.alternatives.map((text) => `${row.external_id}:${text}`));
    expect(await alternatives()).not.toContain(`${failed[0]!.faq}:${failed[0]!.text}`);

    const activated = await activateRun(database.db, tenantId, run.id, { force: false, actor: 'test' });
    expect(activated.status).toBe('active');
    // The examples are now phrasings of their FAQ entries, what loadTenantRuntime trains on.
    for (const entry of failed) expect(await alternatives()).toContain(`${entry.faq}:${entry.text}`);
    await kefu.runtimes.refresh(tenantId);
    const fixed = [];
    for (const entry of failed) if (await answered(entry.text, entry.faq)) fixed.push(entry.text);
    // What the comparison promised is what is served.
    expect(fixed.length / failed.length).toBeCloseTo(run.candidateAccuracy!, 6);

    const lines: string[] = [];
    for await (const line of exportExamples(database.db, tenantId, { pageSize: 2 })) lines.push(line);
    expect(lines.map((line) => JSON.parse(line).text).sort()).toEqual(failed.map((entry) => entry.text).sort());
  }, 120_000);
});
