import type { Db } from '../store/database.js';
import type { StyleGuide } from '../packs/pack-schema.js';
import { normalizeText } from '../text/index.js';
import { createLexicalUnderstander } from './lexical-understander.js';
import type { LabelledPhrasing, Understander } from './understander.js';

export interface RuntimeIntent {
  name: string;
  route: 'auto' | 'assist' | 'human';
  threshold: number | null;
  answer: string | null;
  playbook: string | null;
}

export interface RuntimeFaq {
  id: string;
  question: string;
  answer: string;
  category: string | null;
  sensitive: boolean;
  version: number;
}

export interface TenantMessages {
  greeting: string;
  fallback: string;
  handoff: string;
  noAnswer: string;
}

/** Everything the turn pipeline needs about one tenant, loaded once and cached. */
export interface TenantRuntime {
  tenantId: string;
  slug: string;
  domain: string;
  gate: number;
  messages: TenantMessages;
  style: StyleGuide | null;
  intents: Map<string, RuntimeIntent>;
  faq: Map<string, RuntimeFaq>;
  understander: Understander;
  loadedAt: Date;
}

const SENSITIVE_DOMAINS = new Set(['finance', 'medical']);

/** The confidence gate: the tenant's own, else 0.85 in sensitive domains (S6), else 0.6. */
export function defaultGate(domain: string): number {
  return SENSITIVE_DOMAINS.has(domain) ? 0.85 : 0.6;
}

const DEFAULT_MESSAGES: Record<'zh' | 'en', TenantMessages> = {
  zh: {
    greeting: '您好，请问有什么可以帮您？',
    fallback: '抱歉，这个问题我暂时回答不了。我可以帮您查询订单、物流、退换货和常见问题。',
    handoff: '这个问题需要人工客服为您处理，正在为您转接，请稍候。',
    noAnswer: '抱歉，我没有找到相关答案，已为您转接人工客服。',
  },
  en: {
    greeting: 'Hello, how can I help you?',
    fallback: "Sorry, I can't help with that. I can answer questions about orders, delivery, returns and our FAQ.",
    handoff: 'A member of our team will take over this conversation shortly.',
    noAnswer: "Sorry, I couldn't find an answer; a member of our team will take over.",
  },
};

/** Loads a tenant's runtime from the database (intents, FAQ, settings) and builds its understander. */
export async function loadTenantRuntime(db: Db, tenantId: string): Promise<TenantRuntime> {
  const tenant = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow();
  const [intentRows, faqRows] = await Promise.all([
    db.selectFrom('intents').selectAll().where('tenant_id', '=', tenantId).orderBy('position').execute(),
    db.selectFrom('faq_entries').selectAll().where('tenant_id', '=', tenantId).orderBy('position').execute(),
  ]);
  const settings = tenant.settings as Record<string, any>;
  const language = tenant.locale.startsWith('en') ? 'en' : 'zh';
  const configured = (settings.messages ?? {}) as Record<string, string | undefined>;
  const defaults = DEFAULT_MESSAGES[language];
  const phrasings: LabelledPhrasing[] = [];
  for (const row of faqRows) {
    for (const text of [row.question, ...row.alternatives]) phrasings.push({ text: normalizeText(text).text, label: row.external_id });
  }
  for (const row of intentRows) {
    for (const text of row.examples) phrasings.push({ text: normalizeText(text).text, label: row.name });
  }
  return {
    tenantId,
    slug: tenant.slug,
    domain: tenant.domain,
    gate: typeof settings.gate === 'number' ? settings.gate : defaultGate(tenant.domain),
    messages: {
      greeting: configured.greeting ?? defaults.greeting,
      fallback: configured.fallback ?? defaults.fallback,
      handoff: configured.handoff ?? defaults.handoff,
      noAnswer: configured.no_answer ?? defaults.noAnswer,
    },
    style: (settings.style ?? null) as StyleGuide | null,
    intents: new Map(intentRows.map((row) => [row.name, { name: row.name, route: row.route, threshold: row.threshold, answer: row.answer, playbook: row.playbook }])),
    faq: new Map(
      faqRows.map((row) => [row.external_id, { id: row.external_id, question: row.question, answer: row.answer, category: row.category, sensitive: row.sensitive, version: row.version }]),
    ),
    understander: createLexicalUnderstander(phrasings),
    loadedAt: new Date(),
  };
}

/** Per-process cache of tenant runtimes; `invalidate` on `tenant.updated`. */
export class TenantRuntimeCache {
  readonly #entries = new Map<string, Promise<TenantRuntime>>();
  constructor(private readonly db: Db) {}

  get(tenantId: string): Promise<TenantRuntime> {
    let entry = this.#entries.get(tenantId);
    if (!entry) {
      entry = loadTenantRuntime(this.db, tenantId);
      entry.catch(() => this.#entries.delete(tenantId));
      this.#entries.set(tenantId, entry);
    }
    return entry;
  }

  invalidate(tenantId: string): void {
    this.#entries.delete(tenantId);
  }
}
