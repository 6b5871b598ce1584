import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import { agentCanReadPii, maskPii } from '../../guard/pii/index.js';
import {
  accuracyHistory,
  activateRun,
  agentIsTrainer,
  BULK_LABEL_LIMIT,
  clickState,
  createFaqFromTurn,
  exportExamples,
  faqDraftFromTurn,
  getRun,
  labelTurn,
  labelTurns,
  promotionPolicy,
  retrain,
  reviewQueue,
  setAgentTrainer,
  setPromotionPolicy,
  trainerCatalogue,
} from '../../learning/trainer-service.js';
import { LABEL_KINDS } from '../../learning/training-tables.js';
import { problemSchema, uuidParam } from '../../protocol/index.js';
import { tenantOf } from '../auth.js';
import type { AppDeps } from '../create-app.js';
import { agentOf } from '../zones/agent-zone.js';
import { trainerLlmRoutes } from './trainer-llm.js';

/**
 * The trainer's console API (docs/learning.md, "Trainer's console"), inside the agent zone
 * (/v1/agent/trainer, agent session tokens): only agents with the `trainer` scope may use it
 * (CS_TRAINER_SCOPE_REQUIRED otherwise), checked in onRequest after the zone authenticated the
 * session. A tenant admin grants the scope with `PUT /v1/agents/:agentId/trainer` (tenant key,
 * `admin` scope), registered in the tenant API zone by trainerAdminRoutes.
 */
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema };
const security = [{ agentSession: [] }];

const namedTarget = z.object({ id: z.string(), name: z.string().nullable(), confidence: z.number() });
const currentLabel = z.object({
  version: z.number().int(),
  kind: z.enum(LABEL_KINDS),
  target: z.string().nullable(),
  targetName: z.string().nullable(),
  labelledBy: z.string(),
  createdAt: z.string(),
});

const reviewItemSchema = z
  .object({
    traceId: z.string(),
    conversationId: z.string(),
    text: z.string(),
    reasons: z.array(z.enum(['low_confidence', 'fallback', 'suggestion_picked', 'handed_over', 'thumbs_down'])),
    guess: namedTarget.nullable(),
    alternatives: z.array(namedTarget),
    picked: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
    route: z.string(),
    tier: z.string(),
    uncertainty: z.number(),
    cluster: z.number().int(),
    clusterSize: z.number().int(),
    expectedValue: z.number(),
    label: currentLabel.nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'TrainerReviewItem' });

const catalogueSchema = z
  .object({
    kind: z.enum(['faq', 'intent']),
    id: z.string(),
    name: z.string(),
    source: z
      .enum(['pack', 'sheet', 'new'])
      .optional()
      .describe("an FAQ entry's origin: a pack, an uploaded sheet, or a trainer's new entry not yet activated"),
  })
  .meta({ id: 'TrainerCatalogueEntry' });

const labelSchema = currentLabel
  .extend({ id: z.string(), traceId: z.string(), conversationId: z.string(), text: z.string() })
  .meta({ id: 'TrainingExample' });

const runSchema = z
  .object({
    id: z.string(),
    number: z.number().int(),
    status: z.enum(['candidate', 'active', 'superseded', 'discarded', 'failed']),
    modelKind: z.string().nullable(),
    regressionSize: z.number().int(),
    examples: z.number().int(),
    activeAccuracy: z.number().nullable(),
    candidateAccuracy: z.number().nullable(),
    regresses: z.boolean(),
    forced: z.boolean(),
    error: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    activatedAt: z.string().nullable(),
    ms: z.number().nullable(),
    trainMs: z.number().nullable(),
    results: z
      .array(
        z.object({
          traceId: z.string(),
          text: z.string(),
          expected: z.string().nullable(),
          active: z.string().nullable(),
          candidate: z.string().nullable(),
        }),
      )
      .optional(),
    orphaned: z.number().int().optional(),
  })
  .meta({ id: 'TrainingRun' });

const labelBody = z
  .object({
    kind: z.enum(LABEL_KINDS),
    target: z.string().min(1).max(200).optional().describe('the FAQ id (kind faq) or intent name (kind intent)'),
    expectedVersion: z
      .number()
      .int()
      .min(0)
      .describe('the label version you saw on the turn (0: unlabelled); a stale one is refused with 409'),
  })
  .strict()
  .meta({ id: 'TrainingLabelRequest' });

const bulkLabelBody = z
  .object({
    kind: z.enum(LABEL_KINDS),
    target: z.string().min(1).max(200).optional().describe('the FAQ id (kind faq) or intent name (kind intent)'),
    items: z
      .array(
        z
          .object({
            traceId: uuidParam,
            expectedVersion: z.number().int().min(0).describe('the label version you saw on this turn (0: unlabelled)'),
          })
          .strict(),
      )
      .min(1)
      .max(BULK_LABEL_LIMIT)
      .describe('the turns of the phrasing cluster, each with the version you saw'),
  })
  .strict()
  .meta({ id: 'TrainingBulkLabelRequest' });

const faqBody = z
  .object({
    question: z.string().max(20_000).describe("the new entry's question (prefilled from the customer's phrasing)"),
    answer: z.string().max(20_000).describe("its answer (prefilled from an agent's reply, if there was one)"),
    expectedVersion: z.number().int().min(0).describe('the label version you saw on the turn (0: unlabelled)'),
  })
  .strict()
  .meta({ id: 'TrainingFaqRequest' });

const promotionSchema = z
  .object({
    mode: z
      .enum(['agreement', 'approval', 'immediate'])
      .describe(
        'agreement (default): clicks in one phrasing cluster agree (or a trainer label agrees); approval: only a trainer; immediate: every click',
      ),
    minAgreeing: z.number().int().min(1).max(100).describe('agreeing clicks needed in agreement mode (default 2)'),
  })
  .meta({ id: 'ClickPromotionPolicy' });

export async function trainerRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const db = deps.database.db;
  const mode = deps.config.nlu.mode;
  // After the zone's own onRequest (authentication): the trainer scope, before any body is read.
  app.addHook('onRequest', async (request) => {
    if (request.ws || request.routeOptions.config.public) return;
    const { tenantId, agentId } = agentOf(request);
    if (!(await agentIsTrainer(db, tenantId, agentId)))
      throw new KefuError(ErrorCodes.trainerScopeRequired, 'this agent lacks the trainer scope', { status: 403 });
  });
  const api = app.withTypeProvider<ZodTypeProvider>();
  await trainerLlmRoutes(app, deps);

  api.get('/trainer/queue', {
    schema: {
      operationId: 'trainerReviewQueue',
      tags: ['trainer'],
      summary:
        'The review queue: low-confidence, fallback, suggestion-picked, handed-over and thumbs-down turns, by expected value',
      security,
      querystring: z.object({
        limit: z.coerce.number().int().min(1).max(500).optional(),
        includeLabelled: z.enum(['true', 'false']).optional(),
      }),
      response: {
        200: z.object({
          items: z.array(reviewItemSchema),
          total: z.number().int(),
          catalogue: z.array(catalogueSchema),
        }),
        ...errors,
      },
    },
    handler: async (request) => {
      const { tenantId } = agentOf(request);
      const queue = await reviewQueue(db, tenantId, {
        limit: request.query.limit,
        includeLabelled: request.query.includeLabelled === 'true',
      });
      return { ...queue, catalogue: await trainerCatalogue(db, tenantId) };
    },
  });

  api.post('/trainer/turns/:traceId/label', {
    schema: {
      operationId: 'labelTurn',
      tags: ['trainer'],
      summary:
        'Label a turn: an FAQ entry or intent (a new versioned training example), out of scope, or must hand over',
      security,
      params: z.object({ traceId: uuidParam }),
      body: labelBody,
      response: { 201: labelSchema, ...errors },
    },
    handler: async (request, reply) => {
      const { tenantId, agentId } = agentOf(request);
      const stored = await labelTurn(db, tenantId, request.params.traceId, request.body, `agent:${agentId}`);
      return reply.code(201).send(stored);
    },
  });

  api.post('/trainer/labels', {
    schema: {
      operationId: 'labelTurns',
      tags: ['trainer'],
      summary:
        'Label several turns at once (a whole phrasing cluster), all or nothing: a turn labelled since you loaded it refuses them all with 409',
      security,
      body: bulkLabelBody,
      response: { 201: z.object({ labels: z.array(labelSchema) }), ...errors },
    },
    handler: async (request, reply) => {
      const { tenantId, agentId } = agentOf(request);
      const { items, ...label } = request.body;
      const labels = await labelTurns(db, tenantId, items, label, `agent:${agentId}`);
      return reply.code(201).send({ labels });
    },
  });

  api.get('/trainer/turns/:traceId/faq-draft', {
    schema: {
      operationId: 'trainingFaqDraft',
      tags: ['trainer'],
      summary:
        "What a new FAQ entry from this turn starts from: the customer's phrasing, and an agent's reply in that conversation if there was one (never the bot's)",
      security,
      params: z.object({ traceId: uuidParam }),
      response: {
        200: z.object({
          traceId: z.string(),
          question: z.string(),
          answer: z.string().nullable(),
          answerFrom: z.enum(['agent']).nullable(),
        }),
        ...errors,
      },
    },
    handler: async (request) => faqDraftFromTurn(db, agentOf(request).tenantId, request.params.traceId),
  });

  api.post('/trainer/turns/:traceId/faq', {
    schema: {
      operationId: 'createFaqFromTurn',
      tags: ['trainer'],
      summary:
        'Create a new FAQ entry from a turn and label the turn with it; the next retrain trains on it and activation adds it to the FAQ',
      security,
      params: z.object({ traceId: uuidParam }),
      body: faqBody,
      response: {
        201: z.object({
          faq: z.object({
            id: z.string(),
            question: z.string(),
            answer: z.string(),
            source: z.enum(['pack', 'sheet', 'new']),
          }),
          label: labelSchema,
        }),
        ...errors,
      },
    },
    handler: async (request, reply) => {
      const { tenantId, agentId } = agentOf(request);
      const created = await createFaqFromTurn(db, tenantId, request.params.traceId, request.body, `agent:${agentId}`);
      return reply.code(201).send(created);
    },
  });

  api.get('/trainer/clicks', {
    schema: {
      operationId: 'trainingClicks',
      tags: ['trainer'],
      summary:
        'Suggestion clicks: how many wait (pending), how many the promotion policy takes at the next retrain, and how many are training examples',
      security,
      response: {
        200: z.object({
          policy: promotionSchema,
          pending: z.number().int(),
          promotable: z.number().int(),
          promoted: z.number().int(),
        }),
        ...errors,
      },
    },
    handler: async (request) => clickState(db, agentOf(request).tenantId),
  });

  api.get('/trainer/settings', {
    schema: {
      operationId: 'trainerSettings',
      tags: ['trainer'],
      summary: "The trainer's settings: the click promotion policy, and whether an LLM can suggest (llm)",
      security,
      response: {
        200: z.object({
          promotion: promotionSchema,
          llm: z.literal(true).optional().describe('present when an LLM is configured: the console offers AI drafts'),
        }),
        ...errors,
      },
    },
    handler: async (request) => ({
      promotion: await promotionPolicy(db, agentOf(request).tenantId),
      ...(deps.llm ? { llm: true as const } : {}),
    }),
  });

  api.put('/trainer/settings', {
    schema: {
      operationId: 'setTrainerSettings',
      tags: ['trainer'],
      summary: 'Set the click promotion policy (audited)',
      security,
      body: z
        .object({ promotion: promotionSchema.partial({ minAgreeing: true }).strict() })
        .strict()
        .meta({ id: 'TrainerSettingsRequest' }),
      response: { 200: z.object({ promotion: promotionSchema }), ...errors },
    },
    handler: async (request) => {
      const { tenantId, agentId } = agentOf(request);
      return { promotion: await setPromotionPolicy(db, tenantId, request.body.promotion, `agent:${agentId}`) };
    },
  });

  api.post('/trainer/retrain', {
    schema: {
      operationId: 'retrainCandidate',
      tags: ['trainer'],
      summary:
        'Build a candidate from the FAQ sheet and the accepted examples, without activating it, and compare it with the active version on the regression set',
      security,
      response: { 201: runSchema, 422: problemSchema, ...errors },
    },
    handler: async (request, reply) => {
      const { tenantId, agentId } = agentOf(request);
      return reply.code(201).send(await retrain(db, tenantId, mode, `agent:${agentId}`));
    },
  });

  api.get('/trainer/runs/:runId', {
    schema: {
      operationId: 'getTrainingRun',
      tags: ['trainer'],
      summary: 'One evaluation run, with what each version decided on every labelled turn',
      security,
      params: z.object({ runId: uuidParam }),
      response: { 200: runSchema, ...errors },
    },
    handler: async (request) => getRun(db, agentOf(request).tenantId, request.params.runId),
  });

  api.post('/trainer/runs/:runId/activate', {
    schema: {
      operationId: 'activateTrainingRun',
      tags: ['trainer'],
      summary:
        'Activate a candidate (refused with 409 CS_TRAINING_REGRESSION when it scores below the active version, unless force: true, which is audited)',
      security,
      params: z.object({ runId: uuidParam }),
      body: z.object({ force: z.boolean().optional() }).strict().optional(),
      response: { 200: runSchema, ...errors },
    },
    handler: async (request) => {
      const { tenantId, agentId } = agentOf(request);
      const run = await activateRun(db, tenantId, request.params.runId, {
        force: request.body?.force === true,
        actor: `agent:${agentId}`,
        request: {
          sourceIp: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
          requestId: request.id,
        },
      });
      // After commit: every node rebuilds the tenant's runtime; the old one serves until then.
      await deps.bus.publish({ type: 'tenant.updated', tenantId });
      return run;
    },
  });

  api.get('/trainer/history', {
    schema: {
      operationId: 'trainingHistory',
      tags: ['trainer'],
      summary: 'Accuracy history: one point per evaluation run, oldest first',
      security,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(5000).optional() }),
      response: { 200: z.object({ runs: z.array(runSchema) }), ...errors },
    },
    handler: async (request) => ({ runs: await accuracyHistory(db, agentOf(request).tenantId, request.query.limit) }),
  });

  api.get('/trainer/export', {
    schema: {
      operationId: 'exportTrainingExamples',
      tags: ['trainer'],
      summary:
        'The labelled examples as JSONL (streamed); personal data masked unless the agent has pii:read. all=true includes superseded versions',
      security,
      querystring: z.object({ all: z.enum(['true', 'false']).optional() }),
      response: { ...errors },
    },
    handler: async (request, reply) => {
      const { tenantId, agentId } = agentOf(request);
      const unmasked = await agentCanReadPii(db, tenantId, agentId);
      const lines = exportExamples(db, tenantId, {
        all: request.query.all === 'true',
        ...(unmasked ? {} : { mask: (text: string) => maskPii(text).masked }),
      });
      reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', 'attachment; filename="training-examples.jsonl"');
      return reply.send(Readable.from(lines) as never);
    },
  });
}

/** `PUT /v1/agents/:agentId/trainer`: grants or withdraws the trainer scope (tenant API zone, admin key). */
export async function trainerAdminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const db = deps.database.db;
  app.withTypeProvider<ZodTypeProvider>().put('/agents/:agentId/trainer', {
    config: { scopes: ['admin'] },
    schema: {
      operationId: 'setAgentTrainer',
      tags: ['agents'],
      summary: "Grant or withdraw an agent's trainer scope (the trainer's console)",
      security: [{ apiKey: [] }],
      params: z.object({ agentId: uuidParam }),
      body: z.object({ allowed: z.boolean() }).strict(),
      response: { 200: z.object({ agentId: z.string(), trainer: z.boolean() }), ...errors },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const found = await setAgentTrainer(db, tenantId, request.params.agentId, request.body.allowed);
      if (!found) throw new KefuError(ErrorCodes.agentNotFound, 'agent not found', { status: 404 });
      return { agentId: request.params.agentId, trainer: request.body.allowed };
    },
  });
}
