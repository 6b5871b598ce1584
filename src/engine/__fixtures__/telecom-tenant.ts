// A small FAQ-only telecom tenant and a deterministic "topic" embedding for the scripted
// /v1/embeddings server, shared by the embeddings and LLM-pick tests. The embedding is a fake
// model (a keyword → topic table in zh-Hans, zh-Hant and English): it checks that the evidence
// flows, never how well a real model would do.
import { deterministicEmbedding } from '../../../test/support/scripted-openai-server.js';
import type { Db } from '../../store/database.js';
import { importPack, type TenantPack } from '../../packs/index.js';
import type { FaqEntry } from '../../knowledge/faq-sheet.js';

const entry = (id: string, question: string, answer: string, alternatives: string[], row: number): FaqEntry => ({
  id,
  question,
  answer,
  alternatives,
  category: null,
  sensitive: false,
  row,
});

export const TELECOM_FAQ: FaqEntry[] = [
  entry(
    'faq-balance',
    '怎么查询话费余额？',
    '发送短信 YE 到 10086，或在 App 首页查看话费余额。',
    ['话费还剩多少', '查一下余额', '查詢話費餘額', 'how do I check my balance'],
    2,
  ),
  entry(
    'faq-data',
    '流量不够用怎么办？',
    '可以在 App「流量」页购买流量加油包，即买即用。',
    ['怎么买流量包', '流量用完了', '流量用完了怎麼辦', 'buy more mobile data'],
    3,
  ),
  entry(
    'faq-invoice',
    '怎么开发票？',
    '在 App「我的」→「发票」中申请电子发票，1 个工作日内发送到邮箱。',
    ['电子发票在哪里下载', '我要开票', '怎麼開發票', 'how to get an invoice'],
    4,
  ),
  entry(
    'faq-plan',
    '怎么更改套餐？',
    '在 App「套餐」页选择新套餐，次月 1 日生效。',
    ['换个便宜的套餐', '套餐怎么降档', '套餐怎麼換', 'change my plan'],
    5,
  ),
  entry(
    'faq-roaming',
    '出国漫游怎么开通？',
    '出发前在 App「国际漫游」页开通，按目的地日包计费。',
    ['国际漫游资费', '去国外能用手机吗', '出國漫遊怎麼開', 'roaming abroad'],
    6,
  ),
];

const TOPICS: Array<[string, RegExp]> = [
  [
    'faq-balance',
    /话费|話費|余额|餘額|几块钱|幾塊錢|还有钱|還有錢|打多久电话|打多久電話|balance|credit|money left|money is on/i,
  ],
  ['faq-data', /流量|data/i],
  ['faq-invoice', /发票|發票|开票|開票|票据|票據|invoice|receipt/i],
  ['faq-plan', /套餐|plan/i],
  ['faq-roaming', /漫游|漫遊|出国|出國|国外|國外|roaming|abroad/i],
];

/**
 * The fake model: dimension 8, the first topic a text mentions is a strong axis (0–4), the rest of
 * the text a weak hashed component, so texts of one topic are close (cosine ≈ 0.95) and others far.
 */
export function topicEmbedding(text: string): number[] {
  const noise = deterministicEmbedding(text, 8).map((value) => value * 0.3);
  const topic = TOPICS.findIndex(([, pattern]) => pattern.test(text));
  const vector = noise.map((value, index) => (index === topic ? value + 1 : index < 5 ? value * 0.2 : value));
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

/** Imports the telecom tenant (FAQ only: the day-one few-shot matcher) and returns its id. */
export async function importTelecomTenant(db: Db, slug = 'telecom'): Promise<string> {
  const pack = {
    tenant: {
      slug,
      name: '云通信',
      locale: 'zh-CN',
      domain: 'telecom',
      timezone: 'Asia/Shanghai',
      gate: 0.85,
      messages: {},
      channels: [],
    },
    intents: [],
    faq: TELECOM_FAQ,
    documents: [],
    playbooks: [],
    tables: [],
    dictionary: [],
    style: null,
  } as unknown as TenantPack;
  return (await importPack(db, pack, { actor: 'test' })).tenantId;
}
