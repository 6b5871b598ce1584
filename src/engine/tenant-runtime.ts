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
  /** The question and its alternatives as written (embedded as evidence when embeddings are configured). */
  phrasings?: readonly string[];
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
  /**
   * What keeping this runtime loaded costs in memory, estimated at load from the sizes of what it
   * was built from (runtimeFootprint); the runtime cache's budget counts it.
   */
  estimatedBytes?: number;
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
          phrasings: [row.question, ...row.alternatives],
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
    estimatedBytes: runtimeFootprint({
      phrasings,
      answers: faqRows.map((row) => row.answer),
      passages: passages.values(),
      ownTokenizer: settings.dictionary.length > 0,
    }),
    loadedAt: new Date(),
  };
}

/**
 * Bytes a loaded runtime keeps, measured (bench/results/tenants-scale.md, "calibration"): the
 * understander's vocabulary and vectors, the retrieval index and the passages all grow with the
 * text they were built from, about FOOTPRINT_PER_CHAR bytes per UTF-16 unit of phrasings, answers
 * and passages together, plus a fixed part. A tenant with its own dictionary also holds a jieba
 * tokenizer of its own, native memory that the V8 heap does not show.
 */
const FOOTPRINT_BASE = 160 * 1024;
const FOOTPRINT_PER_CHAR = 360;
/** One `Jieba.withDict` (default dictionary plus the tenant's words): 27–36 MB of process RSS, measured. */
const FOOTPRINT_TOKENIZER = 32 * 1024 * 1024;

/** The estimated memory cost of a runtime, from counts that loading already has at hand. */
export function runtimeFootprint(input: {
  phrasings: Iterable<{ text: string }>;
  answers: Iterable<string>;
  passages: Iterable<{ title?: string | undefined; text: string }>;
  ownTokenizer: boolean;
}): number {
  let characters = 0;
  for (const phrasing of input.phrasings) characters += phrasing.text.length;
  for (const answer of input.answers) characters += answer.length;
  for (const passage of input.passages) characters += (passage.title?.length ?? 0) + passage.text.length;
  return FOOTPRINT_BASE + FOOTPRINT_PER_CHAR * characters + (input.ownTokenizer ? FOOTPRINT_TOKENIZER : 0);
}

/** The estimate for a runtime that was not built by loadTenantRuntime (tests build their own). */
function footprintOf(runtime: TenantRuntime): number {
  if (runtime.estimatedBytes !== undefined) return runtime.estimatedBytes;
  return runtimeFootprint({
    phrasings: [...runtime.faq.values()].map((entry) => ({ text: entry.question })),
    answers: [...runtime.faq.values()].map((entry) => entry.answer),
    passages: runtime.passages.values(),
    ownTokenizer: false,
  });
}

/** An FAQ entry as the runtime reads it, from a pack (`faq_entries`) or a synced FAQ sheet. */
export type FaqRow = {
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
 * The active version of every document in the tenant's `upload` source, in path order, with its
 * FAQ sheet entries as stored (null when the document is not a sheet): what syncedFaqRows reads and
 * what the trainer writes learned phrasings back into.
 */
export function uploadedSheetVersions(db: Db, tenantId: string) {
  return db
    .selectFrom('knowledge_documents as document')
    .innerJoin('knowledge_document_versions as version', 'version.id', 'document.active_version_id')
    .innerJoin('knowledge_sources as source', 'source.id', 'document.source_id')
    .select(['version.id', 'version.faq_entries', 'version.version', 'document.path'])
    .where('source.kind', '=', 'upload')
    .where('source.tenant_id', '=', tenantId)
    .where('document.tenant_id', '=', tenantId)
    .where('version.tenant_id', '=', tenantId)
    .where('document.removed_at', 'is', null)
    .orderBy('document.path')
    .execute();
}

/**
 * The entries of FAQ sheets (CSV/XLSX) the tenant uploaded (`PUT /v1/knowledge/files`, the
 * `upload` source): the active version of every uploaded document that parsed as a sheet, in path
 * order. Sheets inside synced folders, sites or sitemaps stay documents for retrieval: they sit
 * among other documents that may answer better (test/knowledge-e2e.test.ts).
 */
export async function syncedFaqRows(db: Db, tenantId: string, taken: ReadonlySet<string>): Promise<FaqRow[]> {
  const versions = await uploadedSheetVersions(db, tenantId);
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

/** What the runtime cache holds and has done, for metrics and benchmarks. */
export interface TenantRuntimeCacheStats {
  /** Tenants whose runtime is loaded. */
  tenants: number;
  /** Their estimated bytes together. */
  bytes: number;
  /** The budget (Infinity: none). */
  budgetBytes: number;
  /** Runtimes being built now. */
  building: number;
  /** Runtimes built and kept since the start. */
  loads: number;
  /** Runtimes dropped to stay within the budget. */
  evictions: number;
}

export interface TenantRuntimeCacheOptions {
  /**
   * Estimated bytes of runtimes kept loaded (KEFU_TENANT_RUNTIME_BUDGET_MB); past it the least
   * recently used runtime is dropped. The newest one always stays, even alone over the budget.
   * Default: no limit.
   */
  budgetBytes?: number;
}

interface Resident {
  runtime: Promise<TenantRuntime>;
  bytes: number;
  loadedAt: Date;
}

/**
 * Per-process cache of tenant runtimes, least recently used first out under a memory budget.
 * `refresh` (on `tenant.updated`) builds the new runtime in the background while turns keep using
 * the current one, then swaps it in: a tenant never sees a half-trained model. Dropping a runtime
 * only forgets it here: a turn that already has it keeps it until it ends, and the tenant's next
 * turn loads it again. A tenant asked for while its runtime is being built waits for that build.
 */
export class TenantRuntimeCache {
  /** Loaded runtimes in Map order: least recently used first. */
  readonly #resident = new Map<string, Resident>();
  /** The newest build of each tenant being built; an older build still answers its callers. */
  readonly #building = new Map<string, { promise: Promise<TenantRuntime>; build: number }>();
  readonly #budgetBytes: number;
  #bytes = 0;
  #builds = 0;
  #loads = 0;
  #evictions = 0;

  constructor(
    private readonly db: Db,
    private readonly mode: UnderstanderMode = 'classifier',
    options: TenantRuntimeCacheOptions = {},
  ) {
    const budget = options.budgetBytes;
    this.#budgetBytes = budget === undefined || budget <= 0 ? Infinity : budget;
  }

  get(tenantId: string): Promise<TenantRuntime> {
    const resident = this.#resident.get(tenantId);
    if (resident) {
      // Re-inserted so the Map's order stays least recently used first.
      this.#resident.delete(tenantId);
      this.#resident.set(tenantId, resident);
      return resident.runtime;
    }
    return this.#building.get(tenantId)?.promise ?? this.#build(tenantId);
  }

  /** Rebuilds a tenant's runtime; the old one serves until the new one is ready. */
  refresh(tenantId: string): Promise<TenantRuntime> {
    return this.#build(tenantId);
  }

  /** When each tenant's current runtime was loaded (only tenants that have one). */
  loadedTimes(): Map<string, Date> {
    return new Map([...this.#resident].map(([tenantId, resident]) => [tenantId, resident.loadedAt]));
  }

  stats(): TenantRuntimeCacheStats {
    return {
      tenants: this.#resident.size,
      bytes: this.#bytes,
      budgetBytes: this.#budgetBytes,
      building: this.#building.size,
      loads: this.#loads,
      evictions: this.#evictions,
    };
  }

  #build(tenantId: string): Promise<TenantRuntime> {
    const build = ++this.#builds;
    const building = loadTenantRuntime(this.db, tenantId, this.mode);
    this.#building.set(tenantId, { promise: building, build });
    const isLatest = () => this.#building.get(tenantId)?.build === build;
    building.then(
      (runtime) => {
        if (!isLatest()) return;
        this.#building.delete(tenantId);
        this.#keep(tenantId, building, runtime);
      },
      () => {
        // The runtime that was serving (if any) goes on serving.
        if (isLatest()) this.#building.delete(tenantId);
      },
    );
    return building;
  }

  #keep(tenantId: string, promise: Promise<TenantRuntime>, runtime: TenantRuntime): void {
    const previous = this.#resident.get(tenantId);
    if (previous) {
      this.#bytes -= previous.bytes;
      this.#resident.delete(tenantId);
    }
    const bytes = footprintOf(runtime);
    this.#resident.set(tenantId, { runtime: promise, bytes, loadedAt: runtime.loadedAt });
    this.#bytes += bytes;
    this.#loads += 1;
    for (const [oldest, resident] of this.#resident) {
      if (this.#bytes <= this.#budgetBytes || oldest === tenantId) break;
      this.#resident.delete(oldest);
      this.#bytes -= resident.bytes;
      this.#evictions += 1;
    }
  }
}
