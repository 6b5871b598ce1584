import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import {
  clusterLocale,
  draftFaqAnswer,
  meterSuggestionTokens,
  nameCluster,
  suggestionProblem,
  turnAndAgentReplies,
  type SuggestionLocale,
} from '../../learning/llm-suggestions.js';
import { problemSchema, uuidParam } from '../../protocol/index.js';
import type { AppDeps } from '../create-app.js';
import { agentOf } from '../zones/agent-zone.js';

/**
 * LLM suggestions for the trainer (docs/learning.md, "LLM suggestions"): registered by
 * trainerRoutes, inside its trainer-scope check. Suggestions only: nothing is stored; the trainer
 * edits and saves through the FAQ route (people approve). Without a configured LLM both answer
 * 409 CS_LLM_NOT_CONFIGURED.
 */
const errors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
  502: problemSchema,
  504: problemSchema,
};
const security = [{ agentSession: [] }];
const locale = z.enum(['zh-CN', 'zh-TW', 'en']);
const suggestionSchema = z
  .object({ suggestion: z.string(), source: z.literal('llm'), locale })
  .meta({ id: 'TrainerLlmSuggestion' });

function notConfigured(): KefuError {
  return new KefuError(ErrorCodes.llmNotConfigured, 'no language model is configured (KEFU_LLM_BASE_URL)', {
    status: 409,
  });
}

export async function trainerLlmRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const db = deps.database.db;
  const llm = deps.llm;
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post('/trainer/clusters/name', {
    schema: {
      operationId: 'trainerNameCluster',
      tags: ['trainer'],
      summary:
        "Propose an FAQ question for a phrasing cluster with the configured LLM, in the cluster's language (a suggestion: nothing is stored)",
      security,
      body: z
        .object({
          phrasings: z.array(z.string().max(2_000)).min(1).max(50).describe("the cluster's representative phrasings"),
          locale: locale.optional().describe("the question's language (default: the phrasings' own)"),
        })
        .strict()
        .meta({ id: 'TrainerNameClusterRequest' }),
      response: { 200: suggestionSchema, ...errors },
    },
    handler: async (request) => {
      const { tenantId } = agentOf(request);
      if (!llm) throw notConfigured();
      const language: SuggestionLocale = request.body.locale ?? clusterLocale(request.body.phrasings);
      const named = await nameCluster(llm.model, request.body.phrasings, language, { timeoutMs: llm.timeoutMs });
      await meterSuggestionTokens(db, tenantId, named.usage, null);
      if (named.text === null) throw suggestionProblem(named.problem ?? 'garbage');
      return { suggestion: named.text, source: 'llm' as const, locale: language };
    },
  });

  api.post('/trainer/turns/:traceId/faq-draft/llm', {
    schema: {
      operationId: 'trainerDraftFaqAnswer',
      tags: ['trainer'],
      summary:
        "Draft a new FAQ entry's answer with the configured LLM from the agents' replies in this turn's conversation only (never the bot's; a suggestion: nothing is stored)",
      security,
      params: z.object({ traceId: uuidParam }),
      body: z
        .object({
          question: z
            .string()
            .max(500)
            .optional()
            .describe("the question being written (default: the customer's phrasing)"),
          locale: locale.optional().describe("the answer's language (default: the question's)"),
        })
        .strict()
        .optional()
        .meta({ id: 'TrainerDraftFaqRequest' }),
      response: { 200: suggestionSchema, ...errors },
    },
    handler: async (request) => {
      const { tenantId } = agentOf(request);
      // The turn first: another tenant's turn is 404 whether or not a model is configured.
      const turn = await turnAndAgentReplies(db, tenantId, request.params.traceId);
      if (!llm) throw notConfigured();
      const question = request.body?.question?.trim() || turn.question;
      const language: SuggestionLocale = request.body?.locale ?? clusterLocale([question]);
      const drafted = await draftFaqAnswer(llm.model, question, turn.replies, language, { timeoutMs: llm.timeoutMs });
      await meterSuggestionTokens(db, tenantId, drafted.usage, turn.conversationId);
      if (drafted.text === null) throw suggestionProblem(drafted.problem ?? 'garbage');
      return { suggestion: drafted.text, source: 'llm' as const, locale: language };
    },
  });
}
