import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { KefuError, ErrorCodes } from '../errors/index.js';

const booleanString = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .transform((value) => value === true || value === 'true');

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(3000),
        /** Largest request body accepted, in bytes. */
        bodyLimit: positiveInt.max(50 * 1024 * 1024).default(1024 * 1024),
        /** Public base URL printed in the console and used in widget snippets. */
        publicUrl: z.string().url().optional(),
        shutdownGraceMs: positiveInt.default(10_000),
        /**
         * Prometheus metrics at /metrics are opt-in: `public` serves them to anyone who can reach
         * the port (a private network's scraper), a token serves them to `Authorization: Bearer
         * <token>` only; neither (the default) serves nothing (404).
         */
        metrics: z.enum(['off', 'public']).default('off'),
        metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
      })
      .default({ host: '127.0.0.1', port: 3000, bodyLimit: 1024 * 1024, shutdownGraceMs: 10_000, metrics: 'off' }),
    storage: z
      .object({
        dataDir: z.string().min(1).default('./data'),
        databaseUrl: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
          .optional(),
        /**
         * PostgreSQL's shared_buffers inside embedded PGlite, in MB. PostgreSQL's own default
         * (128 MB) is touched at start and was a fifth of an idle node's memory; the files stay in
         * the operating system's page cache either way.
         */
        pgliteSharedBuffersMb: z.coerce.number().int().min(1).max(65_536).default(32),
      })
      .default({ dataDir: './data', pgliteSharedBuffersMb: 32 }),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
    /** Namespace of every Redis key and channel kefu uses (several installations can share one Redis). */
    redisPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ : . -')
      .default('kefu:'),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .default({ level: 'info' }),
    demo: z
      .object({
        load: booleanString.default(true),
        packsDir: z.string().min(1).default('examples/packs'),
        /** Fixes the date playbooks see as today (YYYY-MM-DD): the demo data is written for 2026-11-25. */
        today: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
          .optional(),
      })
      .default({ load: true, packsDir: 'examples/packs' }),
    llm: z
      .object({
        /** Root of an OpenAI-compatible API (…/v1); with none and no local model there is no LLM tier. */
        baseUrl: z.string().url().optional(),
        apiKey: z.string().min(1).optional(),
        model: z.string().min(1).default('gpt-4o-mini'),
        timeoutMs: positiveInt.max(600_000).default(30_000),
        maxRetries: z.coerce.number().int().min(0).max(10).default(2),
        /** Budget for one whole answer (all model calls and tools). */
        answerTimeoutMs: positiveInt.max(600_000).default(15_000),
        /** A GGUF file run in-process through node-llama-cpp (install it separately). */
        localModelPath: z.string().min(1).optional(),
        /** Price sheet for the cost ledger: yuan per 1,000 tokens. */
        inputPricePer1k: z.coerce.number().min(0).max(1000).default(0.002),
        outputPricePer1k: z.coerce.number().min(0).max(1000).default(0.008),
      })
      .default({
        model: 'gpt-4o-mini',
        timeoutMs: 30_000,
        maxRetries: 2,
        answerTimeoutMs: 15_000,
        inputPricePer1k: 0.002,
        outputPricePer1k: 0.008,
      }),
    embeddings: z
      .object({
        /** Root of an OpenAI-compatible `/v1/embeddings` API (Ollama, TEI, vLLM, a cloud); none: lexical tier only. */
        baseUrl: z.string().url().optional(),
        apiKey: z.string().min(1).optional(),
        model: z.string().min(1).default('bge-m3'),
        /** Expected vector length; other lengths are not used (0: learnt from the first response). */
        dimension: z.coerce.number().int().min(0).max(65_536).default(0),
        /** Longest wait for vectors in a turn before the lexical tier answers alone. */
        timeoutMs: positiveInt.max(60_000).default(1_500),
        /** Vectors cached in memory (LRU). */
        cacheSize: positiveInt.max(1_000_000).default(10_000),
      })
      .default({ model: 'bge-m3', dimension: 0, timeoutMs: 1_500, cacheSize: 10_000 }),
    nlu: z
      .object({
        /** classifier: train the light-tier intent classifier per tenant; lexical: plain FAQ lookup. */
        mode: z.enum(['classifier', 'lexical']).default('classifier'),
        /**
         * Estimated memory, in MB, of the tenant runtimes (understander, retrieval index, FAQ) a
         * node keeps loaded; past it the least recently used is dropped and loaded again at that
         * tenant's next message. 0: no limit.
         */
        runtimeBudgetMb: z.coerce.number().int().min(0).max(1_048_576).default(512),
      })
      .default({ mode: 'classifier', runtimeBudgetMb: 512 }),
    conversation: z
      .object({
        maxMessageChars: positiveInt.max(100_000).default(4000),
        /** A customer message whose turn has not finished after this long was interrupted by a crash. */
        recoverAfterMs: z.coerce.number().int().min(0).max(86_400_000).default(120_000),
      })
      .default({ maxMessageChars: 4000, recoverAfterMs: 120_000 }),
    operator: z
      .object({
        /** A fixed operator key (`kefu_op_…`) for bootstrapping; compared by hash in constant time. */
        bootstrapKey: z
          .string()
          .regex(/^kefu_op_[0-9A-Za-z_-]{24,200}$/, 'must be kefu_op_ followed by at least 24 letters, digits, _ or -')
          .optional(),
      })
      .default({}),
    handoff: z
      .object({
        /** An assigned agent whose console is gone (or who went offline) this long gets their chats requeued. */
        reclaimAfterMs: z.coerce.number().int().min(100).max(86_400_000).default(120_000),
        /** How often SLA timers, reclaims and waiting assignments are checked. */
        checkIntervalMs: z.coerce.number().int().min(50).max(3_600_000).default(5_000),
        /** Lifetime of an agent's console session token. */
        sessionTtlSeconds: positiveInt.max(30 * 86_400).default(12 * 3600),
      })
      .default({ reclaimAfterMs: 120_000, checkIntervalMs: 5_000, sessionTtlSeconds: 12 * 3600 }),
    metering: z
      .object({
        /** Deliver usage webhooks to loopback/private addresses (single-business installs, tests); off for resellers. */
        webhookAllowPrivateNetwork: booleanString.default(false),
      })
      .default({ webhookAllowPrivateNetwork: false }),
    widget: z
      .object({
        /** Secret signing widget contact tokens; generated and stored in the database when unset. */
        tokenSecret: z.string().min(32, 'must be at least 32 characters').optional(),
        tokenTtlSeconds: positiveInt.default(24 * 3600),
      })
      .default({ tokenTtlSeconds: 24 * 3600 }),
  })
  .strict();

export type KefuConfig = Readonly<z.infer<typeof configSchema>>;

/** Environment variables and the config path each one sets. */
const environmentVariables: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['HOST', ['server', 'host']],
  ['PORT', ['server', 'port']],
  ['KEFU_BODY_LIMIT', ['server', 'bodyLimit']],
  ['KEFU_PUBLIC_URL', ['server', 'publicUrl']],
  ['KEFU_SHUTDOWN_GRACE_MS', ['server', 'shutdownGraceMs']],
  ['KEFU_METRICS', ['server', 'metrics']],
  ['KEFU_METRICS_TOKEN', ['server', 'metricsToken']],
  ['KEFU_DATA_DIR', ['storage', 'dataDir']],
  ['DATABASE_URL', ['storage', 'databaseUrl']],
  ['KEFU_PGLITE_SHARED_BUFFERS_MB', ['storage', 'pgliteSharedBuffersMb']],
  ['REDIS_URL', ['redisUrl']],
  ['KEFU_REDIS_PREFIX', ['redisPrefix']],
  ['LOG_LEVEL', ['log', 'level']],
  ['KEFU_DEMO', ['demo', 'load']],
  ['KEFU_DEMO_PACKS', ['demo', 'packsDir']],
  ['KEFU_TODAY', ['demo', 'today']],
  ['KEFU_NLU', ['nlu', 'mode']],
  ['KEFU_TENANT_RUNTIME_BUDGET_MB', ['nlu', 'runtimeBudgetMb']],
  ['KEFU_LLM_BASE_URL', ['llm', 'baseUrl']],
  ['KEFU_LLM_API_KEY', ['llm', 'apiKey']],
  ['KEFU_LLM_MODEL', ['llm', 'model']],
  ['KEFU_LLM_TIMEOUT_MS', ['llm', 'timeoutMs']],
  ['KEFU_LLM_MAX_RETRIES', ['llm', 'maxRetries']],
  ['KEFU_LLM_ANSWER_TIMEOUT_MS', ['llm', 'answerTimeoutMs']],
  ['KEFU_LLM_LOCAL_MODEL_PATH', ['llm', 'localModelPath']],
  ['KEFU_LLM_INPUT_PRICE_PER_1K', ['llm', 'inputPricePer1k']],
  ['KEFU_LLM_OUTPUT_PRICE_PER_1K', ['llm', 'outputPricePer1k']],
  ['KEFU_EMBEDDINGS_BASE_URL', ['embeddings', 'baseUrl']],
  ['KEFU_EMBEDDINGS_API_KEY', ['embeddings', 'apiKey']],
  ['KEFU_EMBEDDINGS_MODEL', ['embeddings', 'model']],
  ['KEFU_EMBEDDINGS_DIMENSION', ['embeddings', 'dimension']],
  ['KEFU_EMBEDDINGS_TIMEOUT_MS', ['embeddings', 'timeoutMs']],
  ['KEFU_EMBEDDINGS_CACHE_SIZE', ['embeddings', 'cacheSize']],
  ['KEFU_MAX_MESSAGE_CHARS', ['conversation', 'maxMessageChars']],
  ['KEFU_RECOVER_AFTER_MS', ['conversation', 'recoverAfterMs']],
  ['KEFU_OPERATOR_KEY', ['operator', 'bootstrapKey']],
  ['KEFU_AGENT_RECLAIM_AFTER_MS', ['handoff', 'reclaimAfterMs']],
  ['KEFU_HANDOFF_CHECK_INTERVAL_MS', ['handoff', 'checkIntervalMs']],
  ['KEFU_AGENT_SESSION_TTL', ['handoff', 'sessionTtlSeconds']],
  ['KEFU_WEBHOOK_ALLOW_PRIVATE', ['metering', 'webhookAllowPrivateNetwork']],
  ['KEFU_WIDGET_SECRET', ['widget', 'tokenSecret']],
  ['KEFU_WIDGET_TOKEN_TTL', ['widget', 'tokenTtlSeconds']],
];

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Working directory in which `kefu.config.json|yaml|yml` is looked for. */
  cwd?: string;
  /** Explicit file (also from KEFU_CONFIG); an explicit file that is missing is an error. */
  file?: string;
  /** Values that win over the file and the environment (e.g. CLI flags). */
  overrides?: Record<string, unknown>;
}

/**
 * Reads `kefu.config.(json|yaml)` (optional), then environment variables, then explicit
 * overrides, validates the result and freezes it. Every invalid value is reported with the
 * variable or key that sets it.
 */
export function loadConfig(options: LoadConfigOptions = {}): KefuConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const raw = readConfigFile(options.file ?? env.KEFU_CONFIG, cwd);
  for (const [name, keyPath] of environmentVariables) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, keyPath, value);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(raw, key.split('.'), value);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const variable = environmentVariables.find(([, keyPath]) => keyPath.join('.') === key)?.[0];
      const where = variable ? `${key} (env ${variable} or "${key}" in kefu.config)` : key || '(root)';
      return `  - ${where}: ${issue.message}`;
    });
    throw new KefuError(ErrorCodes.configInvalid, `invalid configuration:\n${lines.join('\n')}`);
  }
  return deepFreeze(parsed.data);
}

function readConfigFile(explicit: string | undefined, cwd: string): Record<string, unknown> {
  const candidates = explicit
    ? [path.resolve(cwd, explicit)]
    : ['kefu.config.json', 'kefu.config.yaml', 'kefu.config.yml'].map((name) => path.join(cwd, name));
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    try {
      const value: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      if (value === null || value === undefined) return {};
      if (typeof value !== 'object' || Array.isArray(value)) throw new Error('the top level must be an object');
      return value as Record<string, unknown>;
    } catch (error) {
      throw new KefuError(ErrorCodes.configInvalid, `cannot read ${file}: ${(error as Error).message}`);
    }
  }
  if (explicit) throw new KefuError(ErrorCodes.configInvalid, `config file not found: ${explicit}`);
  return {};
}

function setPath(target: Record<string, unknown>, keyPath: readonly string[], value: unknown): void {
  let node = target;
  for (const key of keyPath.slice(0, -1)) {
    // A scalar or list where a section is expected is replaced: the variable says what it wants.
    const child = node[key];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keyPath[keyPath.length - 1]!] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
