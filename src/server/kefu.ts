import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createInProcessEventBus, createRedisEventBus, type EventBus } from '../bus/index.js';
import type { KefuConfig } from '../config/index.js';
import { ConversationService } from '../conversations/index.js';
import { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import { createBullMqJobQueue, createInProcessJobQueue, type JobQueue } from '../jobs/index.js';
import { importPack, loadPack } from '../packs/index.js';
import { syncDueSources } from '../knowledge/index.js';
import { createConfiguredEmbedder } from '../knowledge/embedder.js';
import { EmbeddingEvidence } from '../knowledge/embedding-evidence.js';
import { acquireDataDirLock, type DataDirLock } from '../store/data-dir-lock.js';
import { migrateToLatest, openDatabase, type Database, type Db } from '../store/database.js';
import { createApiKey, findTenantBySlug } from '../tenancy/index.js';
import { createApp } from './create-app.js';
import { createMetrics } from './metrics.js';
import { datePackDataAsOf, demoToday } from './demo-dates.js';
import { redactingLoggerOptions } from './log-redaction.js';
import { ShutdownRegistry } from './shutdown-registry.js';
import type { LocalControl } from './routes/local-control.js';
import { createHandoffService, ensureDemoAgent, startAssistDrafter, type HandoffService } from '../handoff/index.js';
import { createMetering, type Metering } from './limits.js';
import { createLocalGgufModel, createOpenAiCompatibleModel, type ChatModel } from '../llm/index.js';

export interface Kefu {
  app: FastifyInstance;
  config: KefuConfig;
  database: Database;
  bus: EventBus;
  jobs: JobQueue;
  conversations: ConversationService;
  runtimes: TenantRuntimeCache;
  demo: DemoTenant[];
  /** The LLM tier's model, or null when none is configured. */
  model: ChatModel | null;
  /** Rate limits, quotas and usage webhooks (src/server/limits.ts, src/metering). */
  metering: Metering;
  /** Queues, agents, assignment, SLA timers and reclaims (src/handoff). */
  handoff: HandoffService;
  /** The data directory's owner lock when this process opened the embedded database, else null. */
  lock: DataDirLock | null;
  /** Closers of the open streams and sockets (each removes its own when it closes). */
  shutdown: ShutdownRegistry;
  /** Stops streams, waits for in-flight turns, closes the server and the database. */
  close(): Promise<void>;
}

export interface DemoTenant {
  slug: string;
  name: string;
  apiKey: string;
  /** The demo agent's console login (docs/handoff.md). */
  agent?: { email: string; password: string };
}

export interface StartOptions {
  /** pino logger options, or false for silence (tests). */
  logger?: pino.LoggerOptions | false;
  /** Open this database instead of the one in the config (tests share one). */
  database?: Database;
  /** CLI commands run for a CLI on this machine (kefu serve on the embedded database). */
  localControl?: LocalControl;
  /** Who holds the embedded database's owner lock (default: a CLI command). */
  owner?: { kind: 'server' | 'cli'; command: string };
}

/** Where PGlite keeps its files inside the data directory. */
export function pgliteDirectory(config: KefuConfig): string {
  return path.resolve(config.storage.dataDir, 'pglite');
}

/** The embedded database's owner lock, when this process opened PGlite in a data directory. */
export type ConfiguredDatabase = Database & { readonly lock: DataDirLock | null };

/**
 * Opens the configured database. PGlite in a data directory is opened only after taking the
 * directory's owner lock (src/store/data-dir-lock.ts): DataDirBusyError names the live owner.
 */
export async function openConfiguredDatabase(
  config: KefuConfig,
  who: { kind: 'server' | 'cli'; command: string } = {
    kind: 'cli',
    command: `kefu ${process.argv.slice(2, 4).join(' ')}`.trim(),
  },
): Promise<ConfiguredDatabase> {
  if (config.storage.databaseUrl)
    return { ...(await openDatabase({ kind: 'postgres', url: config.storage.databaseUrl })), lock: null };
  const lock = acquireDataDirLock(config.storage.dataDir, who);
  try {
    const database = await openDatabase({
      kind: 'pglite',
      dataDir: pgliteDirectory(config),
      sharedBuffersMb: config.storage.pgliteSharedBuffersMb,
    });
    return {
      db: database.db,
      kind: database.kind,
      lock,
      ...(database.backup ? { backup: database.backup } : {}),
      close: async () => {
        try {
          await database.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** The composition root: wires every port to its adapter and builds the app (not listening). */
export async function createKefu(config: KefuConfig, options: StartOptions = {}): Promise<Kefu> {
  const database = options.database ?? (await openConfiguredDatabase(config, options.owner));
  await migrateToLatest(database.db).catch(async (error: unknown) => {
    if (!options.database) await database.close();
    throw error;
  });
  const logger =
    options.logger === false ? false : pino({ ...redactingLoggerOptions(config.log.level), ...(options.logger ?? {}) });
  const { bus, jobs } = await createBusAndJobs(config, logger).catch(async (error: unknown) => {
    if (!options.database) await database.close();
    throw error;
  });
  const runtimes = new TenantRuntimeCache(database.db, config.nlu.mode, {
    budgetBytes: config.nlu.runtimeBudgetMb * 1024 * 1024,
  });
  bus.subscribe((event) => {
    // Retrain (in a worker) or reload the tenant's model; turns keep the old runtime meanwhile.
    if (event.type === 'tenant.updated') {
      runtimes
        .refresh(event.tenantId)
        .catch((error) =>
          logger ? logger.error({ err: error, tenantId: event.tenantId }, 'tenant runtime refresh failed') : undefined,
        );
    }
  });
  const model = await createConfiguredModel(config);
  const metering = await createMetering({
    config,
    db: database.db,
    bus,
    onError: (error, context) => (logger ? logger.error({ err: error }, context) : undefined),
    webhooks: { allowPrivateNetwork: config.metering.webhookAllowPrivateNetwork },
  }).catch(async (error: unknown) => {
    // Redis went away between the bus and the limiter: release what was opened, then fail.
    await jobs.close();
    await bus.close();
    if (model && 'dispose' in model) await (model as { dispose(): Promise<void> }).dispose();
    if (!options.database) await database.close();
    throw error;
  });
  const handoff = createHandoffService({
    db: database.db,
    bus,
    runtimes,
    maxMessageChars: config.conversation.maxMessageChars,
    reclaimAfterMs: config.handoff.reclaimAfterMs,
    ...(model ? { llm: { model, timeoutMs: Math.min(config.llm.answerTimeoutMs, 10_000) } } : {}),
    checkIntervalMs: config.handoff.checkIntervalMs,
    onError: (error, context) => (logger ? logger.error({ err: error }, context) : undefined),
  });
  // Embeddings as turn evidence when an endpoint is configured; a turn without them is the lexical tier's.
  const metrics = createMetrics();
  const embedder = createConfiguredEmbedder(config.embeddings);
  const embeddings = embedder
    ? {
        evidence: new EmbeddingEvidence(embedder, {
          onDegrade: (reason) => metrics.embeddingDegraded.inc({ reason }),
        }),
        timeoutMs: config.embeddings.timeoutMs,
      }
    : undefined;
  const conversations = new ConversationService({
    db: database.db,
    bus,
    runtimes,
    handoff,
    metering: metering.quotas,
    maxMessageChars: config.conversation.maxMessageChars,
    today: config.demo.today,
    ...(embeddings ? { embeddings } : {}),
    ...(model
      ? {
          llm: {
            model,
            answerTimeoutMs: config.llm.answerTimeoutMs,
            inputPricePer1k: config.llm.inputPricePer1k,
            outputPricePer1k: config.llm.outputPricePer1k,
          },
        }
      : {}),
  });
  const widgetSecret = config.widget.tokenSecret ?? (await instanceSecret(database.db, 'widget_token_secret'));

  const demo = config.demo.load
    ? await loadDemoTenants(database.db, bus, config.demo.packsDir, config.demo.today ?? demoToday())
    : [];

  // Knowledge sources with a cron schedule re-sync on the job queue; a tenant whose data changed
  // (here, on another node, or from the CLI) gets its runtime rebuilt in the background.
  const report = (error: unknown, message: string) => (logger ? logger.error({ err: error }, message) : undefined);
  jobs.register('knowledge.sync-due', async () => {
    const results = await syncDueSources(database.db);
    for (const tenantId of new Set(results.map((result) => result.tenantId))) {
      await database.db.updateTable('tenants').set({ updated_at: new Date() }).where('id', '=', tenantId).execute();
    }
  });
  const refreshStale = async () => {
    const loaded = runtimes.loadedTimes();
    if (loaded.size === 0) return;
    const rows = await database.db
      .selectFrom('tenants')
      .select(['id', 'updated_at'])
      .where('id', 'in', [...loaded.keys()])
      .execute();
    for (const row of rows) {
      if (row.updated_at > loaded.get(row.id)!)
        runtimes.refresh(row.id).catch((error) => report(error, 'tenant runtime refresh failed'));
    }
  };
  const recover = () =>
    conversations
      .recoverInterruptedTurns(config.conversation.recoverAfterMs)
      .catch((error) => report(error, 'recovering interrupted turns failed'));
  await recover();
  const timers = [
    setInterval(() => void recover(), Math.max(config.conversation.recoverAfterMs, 30_000)),
    setInterval(
      () => void refreshStale().catch((error) => report(error, 'checking tenants for changes failed')),
      15_000,
    ),
  ];
  for (const timer of timers) timer.unref();
  // One run per minute in the whole cluster (a BullMQ job scheduler when Redis is configured).
  await jobs.schedule('knowledge.sync-due', 60_000, {});
  handoff.start();
  const stopAssistDrafter = startAssistDrafter({
    db: database.db,
    bus,
    runtimes,
    ...(config.demo.today ? { today: config.demo.today } : {}),
    onError: (error) => report(error, 'assist draft failed'),
  });

  const shutdown = new ShutdownRegistry();
  const app = await createApp({
    config,
    database,
    bus,
    jobs,
    conversations,
    widgetSecret,
    handoff,
    limits: metering.limits,
    usageWebhooks: metering.webhooks,
    demoTenants: demo.map((tenant) => tenant.slug),
    metrics,
    ...(model ? { llm: { model, timeoutMs: Math.min(config.llm.answerTimeoutMs, 15_000) } } : {}),
    onShutdown: (callback) => shutdown.add(callback),
    ...(options.localControl ? { localControl: options.localControl } : {}),
    ...(logger === false ? {} : { logger }),
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      for (const timer of timers) clearInterval(timer);
      await handoff.stop();
      stopAssistDrafter();
      shutdown.runAll();
      await conversations.drain();
      await app.close();
      await metering.close();
      await jobs.close();
      await bus.close();
      if (model && 'dispose' in model) await (model as { dispose(): Promise<void> }).dispose();
      if (!options.database) await database.close();
    })();
    return closing;
  };
  const lock = 'lock' in database ? (database as ConfiguredDatabase).lock : null;
  return {
    app,
    config,
    database,
    bus,
    jobs,
    conversations,
    runtimes,
    demo,
    model,
    metering,
    handoff,
    lock,
    shutdown,
    close,
  };
}

/**
 * The event bus and job queue: Redis pub/sub and BullMQ when `REDIS_URL` is set (several nodes
 * share live streams and jobs), else in-process. An unreachable Redis fails the start.
 */
async function createBusAndJobs(
  config: KefuConfig,
  logger: pino.Logger | false,
): Promise<{ bus: EventBus; jobs: JobQueue }> {
  const log = (error: unknown, message: string, extra: Record<string, unknown> = {}) =>
    logger ? logger.error({ err: error, ...extra }, message) : undefined;
  const onHandlerError = (error: unknown) => log(error, 'event handler failed');
  const onJobFailure = (name: string, error: unknown) => log(error, 'job failed', { job: name });
  if (!config.redisUrl)
    return { bus: createInProcessEventBus(onHandlerError), jobs: createInProcessJobQueue(onJobFailure) };
  const bus = await createRedisEventBus({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    onHandlerError,
    onRedisError: (error, context) => (logger ? logger.warn({ err: error, context }, 'redis event bus') : undefined),
  });
  try {
    const jobs = await createBullMqJobQueue({
      url: config.redisUrl,
      prefix: config.redisPrefix,
      onFailure: onJobFailure,
      onRedisError: (error) => (logger ? logger.warn({ err: error }, 'redis job queue') : undefined),
    });
    return { bus, jobs };
  } catch (error) {
    await bus.close();
    throw error;
  }
}

/** The configured LLM: an OpenAI-compatible endpoint, else a local GGUF model, else none. */
export async function createConfiguredModel(config: KefuConfig): Promise<ChatModel | null> {
  if (config.llm.baseUrl) {
    return createOpenAiCompatibleModel({
      baseUrl: config.llm.baseUrl,
      apiKey: config.llm.apiKey,
      model: config.llm.model,
      timeoutMs: config.llm.timeoutMs,
      maxRetries: config.llm.maxRetries,
    });
  }
  if (config.llm.localModelPath) return createLocalGgufModel({ modelPath: config.llm.localModelPath });
  return null;
}

/** A random secret generated once per installation and shared by every node through the database. */
async function instanceSecret(db: Db, key: string): Promise<string> {
  const existing = await db.selectFrom('system_settings').select('value').where('key', '=', key).executeTakeFirst();
  if (existing) return existing.value;
  await db
    .insertInto('system_settings')
    .values({ key, value: randomBytes(32).toString('base64url') })
    .onConflict((c) => c.column('key').doNothing())
    .execute();
  const stored = await db
    .selectFrom('system_settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  return stored.value;
}

/**
 * Imports every pack under `packsDir` (idempotent) and makes sure each demo tenant has a demo
 * key. Demo keys are kept in plaintext in system_settings so the console can print them on every
 * start: they exist only when demo loading is on (KEFU_DEMO=false turns it off).
 */
export async function loadDemoTenants(db: Db, bus: EventBus, packsDir: string, today?: string): Promise<DemoTenant[]> {
  const root = path.resolve(packsDir);
  if (!existsSync(root)) return [];
  const demo: DemoTenant[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const { pack, problems } = loadPack(path.join(root, entry.name));
    if (!pack) {
      const detail = problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''} ${p.message}`).join('; ');
      throw new Error(`demo pack ${entry.name} is invalid: ${detail}`);
    }
    // The demo's orders are dated relative to today, so each of its cases (late, lost, delivered, returning) exists.
    const result = await importPack(db, today ? datePackDataAsOf(pack, today) : pack, { actor: 'system:demo' });
    await bus.publish({ type: 'tenant.updated', tenantId: result.tenantId });
    const settingKey = `demo_api_key:${pack.tenant.slug}`;
    let stored = await db
      .selectFrom('system_settings')
      .select('value')
      .where('key', '=', settingKey)
      .executeTakeFirst();
    if (!stored) {
      const tenant = await findTenantBySlug(db, pack.tenant.slug);
      const created = await createApiKey(db, tenant!.id, { name: 'demo', scopes: ['admin'] });
      await db.insertInto('system_settings').values({ key: settingKey, value: created.key }).execute();
      stored = { value: created.key };
    }
    const agent = await ensureDemoAgent(db, result.tenantId, pack.tenant.slug);
    demo.push({ slug: pack.tenant.slug, name: pack.tenant.name, apiKey: stored.value, agent });
  }
  return demo.sort((a, b) => a.slug.localeCompare(b.slug));
}
