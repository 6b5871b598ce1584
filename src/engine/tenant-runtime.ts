import type { Db } from '../store/database.js';
import { createHttpConnector, validatePlaybook, type Connector, type Playbook } from '../playbooks/index.js';
import { builtinTools } from '../tools/index.js';
import {
  buildRetrievalIndex,
  chunkDocument,
  loadDocument,
  type KnowledgeEntry,
  type RetrievalIndex,
} from '../knowledge/index.js';
import { buildSystemPrompt, type Passage, type ToolDefinition } from '../llm/index.js';
import { parseTenantSettings, type ConnectorSettings, type StyleGuide } from '../tenancy/tenant-settings.js';
import { normalizeText } from '../text/index.js';
import { readFaqLocaleAnswers, type FaqLocaleAnswers } from '../knowledge/faq-sheet.js';
import { compileHandoverSettings, type HandoverConfig } from './handover-rules.js';
import { createClassifierUnderstander } from './classifier-understander.js';
import { createFewShotUnderstander } from './fewshot-understander.js';
import { trainFewShotMatcher } from '../fewshot/index.js';
import { ensureIntentModel } from './intent-models.js';
import { createLexicalUnderstander } from './lexical-understander.js';
import { defaultGate } from './sensitive-domains.js';
import type { LabelledPhrasing, Understander } from './understander.js';

export interface RuntimeIntent {
  name: string;
  description: string | null;
  /** A customer-facing phrasing of the intent (its first example), for clarifying questions. */
  sample: string | null;
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
  /** The answer written for other locales (`en`, `zh-TW`), from the sheet's 答案_en / 答案_zh-TW columns. */
  answers?: FaqLocaleAnswers;
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
  name: string;
  locale: string;
  domain: string;
  timezone: string;
  gate: number;
  messages: TenantMessages;
  style: StyleGuide | null;
  intents: Map<string, RuntimeIntent>;
  faq: Map<string, RuntimeFaq>;
  /** Valid playbooks by name (invalid ones are left out and listed in `problems`). */
  playbooks: Map<string, Playbook>;
  problems: string[];
  understander: Understander;
  /** FAQ entries and document chunks, for retrieval-augmented answers. */
  knowledge: RetrievalIndex;
  passages: Map<string, Passage & { source: 'faq' | 'doc' | 'kb'; reference: string }>;
  /** The grounding system prompt for the LLM tier. */
  systemPrompt: string;
  /** Tools the LLM may call for this tenant: those its playbooks use (names with `_` for `.`). */
  llmTools: ToolDefinition[];
  /** The tenant's own LLM prices (yuan per 1,000 tokens), when its pack sets them. */
  prices: { inputPer1k: number; outputPer1k: number } | null;
  /** HTTP connectors by table (built once, so their circuit breakers remember failures). */
  httpConnectors: Map<string, Connector>;
  /** The tenant's hand-over settings (extra patterns, disabled rule groups); none when unset. */
  handover?: Required<HandoverConfig>;
  /** Which understander runs and why (e.g. the classifier could not be trained). */
  model: { kind: 'classifier' | 'fewshot' | 'lexical'; version: number | null; note: string | null };
  loadedAt: Date;
}

/** `classifier`: the trained light tier (default); `lexical`: the plain FAQ lookup, no training. */
export type UnderstanderMode = 'classifier' | 'lexical';

export { defaultGate } from './sensitive-domains.js';

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
export async function loadTenantRuntime(
  db: Db,
  tenantId: string,
  mode: UnderstanderMode = 'classifier',
): Promise<TenantRuntime> {
  const tenant = await db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow();
  const intentRows = await db
    .selectFrom('intents')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute();
  const packFaqRows = await db
    .selectFrom('faq_entries')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute();
  // FAQ sheets uploaded in the console answer like a pack's faq.csv (a pack entry wins on the same id).
  const faqRows: FaqRow[] = [
    ...packFaqRows,
    ...(await syncedFaqRows(db, tenantId, new Set(packFaqRows.map((row) => row.external_id)))),
  ];
  const playbookRows = await db
    .selectFrom('playbooks')
    .select(['name', 'definition'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const problems: string[] = [];
  const playbooks = new Map<string, Playbook>();
  const toolNames = new Set(builtinTools.keys());
  for (const row of playbookRows) {
    const { playbook, problems: found } = validatePlaybook(row.definition, toolNames);
    if (playbook) playbooks.set(row.name, playbook);
    else problems.push(...found.map((problem) => `playbook ${row.name}: ${problem.path}: ${problem.message}`));
  }
  // Parsed once here; settings that do not parse stop the load with the tenant and field named.
  const settings = parseTenantSettings(tenant.settings, tenant.slug);
  const language = tenant.locale.startsWith('en') ? 'en' : 'zh';
  const configured = settings.messages;
  const defaults = DEFAULT_MESSAGES[language];
  const phrasings: LabelledPhrasing[] = [];
  for (const row of faqRows) {
    for (const text of [row.question, ...row.alternatives])
      phrasings.push({ text: normalizeText(text).text, label: row.external_id });
  }
  for (const row of intentRows) {
    for (const text of row.examples) phrasings.push({ text: normalizeText(text).text, label: row.name });
  }
  // Synced FAQ sheets are already in the retrieval index as chunks of their source.
  const { knowledge, passages } = await buildKnowledge(db, tenantId, packFaqRows, settings.dictionary);
  const style = settings.style;
  const handover = compileHandoverSettings(settings.handover, (text) => normalizeText(text).text);
  problems.push(...handover.problems);
  const systemPrompt = buildSystemPrompt({
    tenantName: tenant.name,
    locale: tenant.locale,
    style: style ? { tone: style.tone, forbidden: style.forbidden } : undefined,
  });
  let understander: Understander = createLexicalUnderstander(phrasings);
  let model: TenantRuntime['model'] = {
    kind: 'lexical',
    version: null,
    note: mode === 'lexical' ? 'configured' : null,
  };
  const labels = new Set(phrasings.map((phrasing) => phrasing.label));
  if (mode === 'classifier' && labels.size >= 2 && intentRows.length === 0) {
    // A day-one tenant (an FAQ sheet and nothing else): the few-shot matcher, no training worker.
    const dictionary = settings.dictionary;
    const matcher = trainFewShotMatcher(
      faqRows.map((row) => ({
        label: row.external_id,
        phrasings: [row.question, ...row.alternatives],
        answer: row.answer,
        category: row.category,
      })),
      { userDictionary: dictionary },
    );
    understander = createFewShotUnderstander(matcher);
    model = { kind: 'fewshot', version: null, note: matcher.summary.warnings.join('; ') || null };
  } else if (mode === 'classifier' && labels.size >= 2) {
    const dictionary = settings.dictionary;
    try {
      const stored = await ensureIntentModel(db, tenantId, phrasings, dictionary);
      understander = createClassifierUnderstander(stored.classifier, stored.version);
      model = {
        kind: 'classifier',
        version: stored.version,
        note: stored.classifier.summary.warnings.join('; ') || null,
      };
    } catch (error) {
      model = { kind: 'lexical', version: null, note: `classifier training failed: ${(error as Error).message}` };
    }
  } else if (mode === 'classifier') {
    model = { kind: 'lexical', version: null, note: 'fewer than two intents: nothing to classify between' };
  }
  return {
    tenantId,
    slug: tenant.slug,
    name: tenant.name,
    locale: tenant.locale,
    domain: tenant.domain,
    timezone: settings.timezone,
    gate: settings.gate ?? defaultGate(tenant.domain),
    messages: {
      greeting: configured.greeting ?? defaults.greeting,
      fallback: configured.fallback ?? defaults.fallback,
      handoff: configured.handoff ?? defaults.handoff,
      noAnswer: configured.no_answer ?? defaults.noAnswer,
    },
    style,
    intents: new Map(
      intentRows.map((row) => [
        row.name,
        {
          name: row.name,
          description: row.description,
          sample: row.examples[0] ?? null,
          route: row.route,
          threshold: row.threshold,
          answer: row.answer,
          playbook: row.playbook,
        },
      ]),
    ),
    faq: new Map(
      faqRows.map((row) => [
        row.external_id,
        {
          id: row.external_id,
          question: row.question,
          answer: row.answer,
          category: row.category,
          sensitive: row.sensitive,
          version: row.version,
          ...readFaqLocaleAnswers(row.answers),
        },
      ]),
    ),
    playbooks,
    problems,
    understander,
    knowledge,
    passages,
    systemPrompt,
    llmTools: toolsUsedBy(playbooks),
    httpConnectors: httpConnectorsOf(settings.connectors, problems),
    prices: settings.prices
      ? { inputPer1k: settings.prices.llm_input_per_1k, outputPer1k: settings.prices.llm_output_per_1k }
      : null,
    handover: handover.config,
    model,
    loadedAt: new Date(),
  };
}

/** An FAQ entry as the runtime reads it, from a pack (`faq_entries`) or a synced FAQ sheet. */
type FaqRow = {
  external_id: string;
  question: string;
  answer: string;
  alternatives: string[];
  category: string | null;
  sensitive: boolean;
  version: number;
  answers?: unknown;
};

/**
 * The entries of FAQ sheets (CSV/XLSX) the tenant uploaded (`PUT /v1/knowledge/files`, the
 * `upload` source): the active version of every uploaded document that parsed as a sheet, in path
 * order. Sheets inside synced folders, sites or sitemaps stay documents for retrieval: they sit
 * among other documents that may answer better (test/knowledge-e2e.test.ts).
 */
async function syncedFaqRows(db: Db, tenantId: string, taken: ReadonlySet<string>): Promise<FaqRow[]> {
  const versions = await db
    .selectFrom('knowledge_documents as document')
    .innerJoin('knowledge_document_versions as version', 'version.id', 'document.active_version_id')
    .innerJoin('knowledge_sources as source', 'source.id', 'document.source_id')
    .select(['version.faq_entries', 'version.version', 'document.path'])
    .where('source.kind', '=', 'upload')
    .where('source.tenant_id', '=', tenantId)
    .where('document.tenant_id', '=', tenantId)
    .where('version.tenant_id', '=', tenantId)
    .where('document.removed_at', 'is', null)
    .orderBy('document.path')
    .execute();
  const rows: FaqRow[] = [];
  const seen = new Set(taken);
  for (const version of versions) {
    const entries = (
      typeof version.faq_entries === 'string' ? JSON.parse(version.faq_entries) : version.faq_entries
    ) as Array<Partial<FaqRow> & { id?: string }> | null;
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (
        typeof entry.id !== 'string' ||
        typeof entry.question !== 'string' ||
        typeof entry.answer !== 'string' ||
        seen.has(entry.id)
      )
        continue;
      seen.add(entry.id);
      rows.push({
        external_id: entry.id,
        question: entry.question,
        answer: entry.answer,
        alternatives: Array.isArray(entry.alternatives)
          ? entry.alternatives.filter((text): text is string => typeof text === 'string')
          : [],
        category: typeof entry.category === 'string' ? entry.category : null,
        sensitive: entry.sensitive === true,
        version: version.version,
        answers: entry.answers,
      });
    }
  }
  return rows;
}

/** Replaces ${NAME} in connector header values with the environment variable (secrets stay out of packs). */
function withEnvironment(value: string, problems: string[]): string {
  return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, name: string) => {
    const found = process.env[name];
    if (found === undefined) problems.push(`connector header uses \${${name}}, which is not set`);
    return found ?? '';
  });
}

function httpConnectorsOf(configured: readonly ConnectorSettings[], problems: string[]): Map<string, Connector> {
  const byTable = new Map<string, Connector>();
  for (const entry of configured) {
    const connector = createHttpConnector({
      name: entry.name,
      baseUrl: entry.base_url,
      headers: Object.fromEntries(
        Object.entries(entry.headers).map(([key, value]) => [key, withEnvironment(value, problems)]),
      ),
      tables: entry.tables,
      timeoutMs: entry.timeout_ms,
      retries: entry.retries,
    });
    for (const table of Object.keys(entry.tables)) byTable.set(table, connector);
  }
  return byTable;
}

/** The built-in tools a tenant's playbooks call: its LLM allow-list. */
function toolsUsedBy(playbooks: ReadonlyMap<string, Playbook>): ToolDefinition[] {
  const names = new Set<string>();
  for (const playbook of playbooks.values())
    for (const step of playbook.steps) if (step.kind === 'compute') names.add(step.tool);
  return [...names].flatMap((name) => {
    const tool = builtinTools.get(name);
    return tool
      ? [
          {
            name: name.replace(/\./g, '_'),
            description: tool.description,
            parameters: { type: 'object', additionalProperties: true },
          },
        ]
      : [];
  });
}

/** FAQ entries and Markdown/text document chunks as one retrieval index with citable passages. */
async function buildKnowledge(
  db: Db,
  tenantId: string,
  faqRows: ReadonlyArray<{
    external_id: string;
    question: string;
    answer: string;
    alternatives: string[];
    version: number;
  }>,
  dictionary: readonly string[],
) {
  const entries: KnowledgeEntry[] = [];
  const passages: TenantRuntime['passages'] = new Map();
  for (const row of faqRows) {
    const id = `faq:${row.external_id}`;
    entries.push({ id, question: row.question, alternatives: row.alternatives, answer: row.answer });
    passages.set(id, {
      id,
      title: row.question,
      text: row.answer,
      version: row.version,
      source: 'faq',
      reference: row.external_id,
    });
  }
  const documents = await db
    .selectFrom('documents')
    .select(['path', 'title', 'content', 'version'])
    .where('tenant_id', '=', tenantId)
    .orderBy('path')
    .execute();
  for (const document of documents) {
    const loaded = await loadDocument(Buffer.from(document.content, 'utf8'), document.path);
    if (!loaded.ok) continue;
    for (const chunk of chunkDocument(loaded.document)) {
      const id = `doc:${document.path}#${chunk.index}`;
      const title = chunk.headingTrail.join(' › ') || document.title || document.path;
      entries.push({ id, title, body: chunk.text });
      passages.set(id, {
        id,
        title,
        text: chunk.text,
        version: document.version,
        source: 'doc',
        reference: document.path,
      });
    }
  }
  // Chunks of synced knowledge sources (folders, URLs, sitemaps): the active version of each document.
  const synced = await db
    .selectFrom('knowledge_chunks as chunk')
    .innerJoin('knowledge_documents as document', 'document.active_version_id', 'chunk.document_version_id')
    .innerJoin('knowledge_document_versions as version', 'version.id', 'chunk.document_version_id')
    .innerJoin('knowledge_sources as source', 'source.id', 'document.source_id')
    .select([
      'chunk.id',
      'chunk.heading_trail',
      'chunk.text',
      'document.path',
      'version.version',
      'version.title',
      'source.name as source_name',
    ])
    .where('chunk.tenant_id', '=', tenantId)
    .where('document.tenant_id', '=', tenantId)
    .where('version.tenant_id', '=', tenantId)
    .where('document.removed_at', 'is', null)
    .orderBy('document.path')
    .orderBy('chunk.position')
    .execute();
  for (const chunk of synced) {
    const id = `kb:${chunk.id}`;
    const trail = (chunk.heading_trail as string[]) ?? [];
    const title = trail.join(' › ') || chunk.title || chunk.path;
    entries.push({ id, title, body: chunk.text });
    passages.set(id, {
      id,
      title,
      text: chunk.text,
      version: chunk.version,
      source: 'kb',
      reference: `${chunk.source_name}/${chunk.path}`,
    });
  }
  return { knowledge: buildRetrievalIndex(entries, { userDictionary: dictionary }), passages };
}

/**
 * Per-process cache of tenant runtimes. `refresh` (on `tenant.updated`) builds the new runtime
 * in the background while turns keep using the current one, then swaps it in: a tenant never
 * sees a half-trained model.
 */
export class TenantRuntimeCache {
  readonly #current = new Map<string, Promise<TenantRuntime>>();
  readonly #generation = new Map<string, number>();
  constructor(
    private readonly db: Db,
    private readonly mode: UnderstanderMode = 'classifier',
  ) {}

  get(tenantId: string): Promise<TenantRuntime> {
    const current = this.#current.get(tenantId);
    if (current) return current;
    return this.#build(tenantId);
  }

  /** Rebuilds a tenant's runtime; the old one serves until the new one is ready. */
  refresh(tenantId: string): Promise<TenantRuntime> {
    if (!this.#current.has(tenantId)) return this.#build(tenantId);
    return this.#build(tenantId, true);
  }

  /** When each tenant's current runtime was loaded (only tenants that have one). */
  loadedTimes(): Map<string, Date> {
    return new Map(this.#loadedAt);
  }

  readonly #loadedAt = new Map<string, Date>();

  #build(tenantId: string, keepCurrentUntilReady = false): Promise<TenantRuntime> {
    const generation = (this.#generation.get(tenantId) ?? 0) + 1;
    this.#generation.set(tenantId, generation);
    const building = loadTenantRuntime(this.db, tenantId, this.mode);
    const isLatest = () => this.#generation.get(tenantId) === generation;
    if (!keepCurrentUntilReady) this.#current.set(tenantId, building);
    building.then(
      (runtime) => {
        if (isLatest()) {
          this.#current.set(tenantId, building);
          this.#loadedAt.set(tenantId, runtime.loadedAt);
        }
      },
      () => {
        if (isLatest() && this.#current.get(tenantId) === building) this.#current.delete(tenantId);
      },
    );
    return building;
  }
}
