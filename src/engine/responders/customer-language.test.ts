import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/test-database.js';
import { importPack, loadPack } from '../../packs/index.js';
import { runTurn } from '../run-turn.js';
import { TenantRuntimeCache, type TenantRuntime } from '../tenant-runtime.js';

// The shop demo pack, imported into a throwaway database: its faq.csv carries 答案_en on the most
// asked rows, stored in faq_entries.answers (migration 20261211-0800).
const services = {
  connector: { name: 'none', query: async () => [] },
  contact: {},
  now: new Date('2026-11-25T10:00:00+08:00'),
};

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let runtime: TenantRuntime;

beforeAll(async () => {
  database = await createTestDatabase();
  const loaded = loadPack(path.resolve('examples/packs/shop-zh'));
  if (!loaded.pack) throw new Error(JSON.stringify(loaded.problems));
  const { tenantId } = await importPack(database.db, loaded.pack, { actor: 'test' });
  runtime = await new TenantRuntimeCache(database.db).get(tenantId);
}, 120_000);
afterAll(async () => database?.dispose());

const ask = (text: string) => runTurn(runtime, { text, state: {} }, services);

const textOf = (decision: Awaited<ReturnType<typeof ask>>) => decision.reply.text;
const quickReplies = (decision: Awaited<ReturnType<typeof ask>>) =>
  decision.reply.parts.flatMap((part) => (part.type === 'quick_replies' ? part.options : []));

describe('the shop demo in the customer’s language (issue 14 §4)', () => {
  it('answers English with the pack’s English answer, Traditional with OpenCC, Simplified as written', async () => {
    const english = await ask('how much is shipping');
    expect(english).toMatchObject({ route: 'auto', intent: 'faq-33' });
    expect(textOf(english)).toMatch(/^Orders paying 99 yuan or more ship free/);
    const simplified = await ask('运费怎么算？');
    expect(textOf(simplified)).toMatch(/^单笔订单实付满 99 元包邮/);
    const traditional = await ask('怎麼開發票？');
    expect(traditional).toMatchObject({ route: 'auto', intent: 'faq-19' });
    expect(textOf(traditional)).toContain('訂單簽收後');
  });
});

describe('a message with two questions (issue 14 §5)', () => {
  it('offers both sets of suggestions and 转人工 when one question is not confident (花呗 + 发票)', async () => {
    const decision = await ask('花呗怎么开通？发票怎么开？');
    expect(decision.route).toBe('auto');
    const options = quickReplies(decision);
    expect(options).toContain('怎么开发票？');
    expect(options.at(-1)).toBe('转人工');
    expect(decision.trace.reasons.join(' ')).toContain('2 questions in one message');
    expect(decision.nextState.clarify?.map((option) => option.label)).toEqual(options.slice(0, -1));
  });

  it('answers both when each is confident, in Simplified, Traditional and English', async () => {
    const simplified = await ask('付款后多久发货？还有快递一般几天能到？');
    expect(simplified.route, simplified.trace.reasons.join(' / ')).toBe('auto');
    expect(textOf(simplified)).toContain('关于「付款后多久发货？」');
    expect(textOf(simplified)).toContain('关于「快递一般几天能到？」');
    expect(simplified.trace.citations.map((citation) => citation.id)).toEqual(['faq-04', 'faq-06']);

    const traditional = await ask('付款後多久發貨？快遞一般幾天能到？');
    expect(textOf(traditional)).toContain('關於「付款後多久發貨？」');

    // 运费 + 发票: answered together, or (past the style guide's length) each offered with 转人工.
    const both = await ask('运费怎么算？还有怎么开发票？');
    expect(both.route, both.trace.reasons.join(' / ')).toBe('auto');
    const offered = quickReplies(both);
    if (offered.length > 0) expect(offered).toEqual(['运费怎么算？', '怎么开发票？', '转人工']);
    else expect(both.trace.citations.map((citation) => citation.id)).toEqual(['faq-33', 'faq-19']);

    const english = await ask('How much is shipping? And also how do I get an invoice?');
    expect(english.route, english.trace.reasons.join(' / ')).toBe('auto');
    const text = textOf(english);
    if (text.startsWith('Your message asks several things')) {
      expect(quickReplies(english)).toContain('运费怎么算？');
      expect(quickReplies(english).at(-1)).toBe('Talk to a human agent');
    } else {
      expect(text).toContain('Orders paying 99 yuan or more ship free');
      expect(text).toContain('an electronic invoice is emailed to you');
    }
  });
});
