import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DomainEvent } from '../../bus/index.js';
import {
  conversationsById,
  lastPublicMessages,
  recentMessages,
  requireConversation,
} from '../../conversations/index.js';
import { ErrorCodes, KefuError, isKefuError } from '../../errors/index.js';
import { agentCanReadPii, messagesForAgent } from '../../guard/pii/index.js';
import {
  createAgent,
  getAgent,
  listAgents,
  loginAgent,
  revokeAgentSession,
  updateAgent,
  type HandoffService,
  type HandoffView,
} from '../../handoff/index.js';
import {
  agentLoginBody,
  agentMessageBody,
  agentSchema,
  agentSessionResponse,
  agentSummarySchema,
  closeBody,
  consoleClientEvent,
  contextPanelSchema,
  conversationViewSchema,
  createAgentBody,
  draftSchema,
  editDraftBody,
  handoffSchema,
  messageSchema,
  presenceBody,
  problemSchema,
  queueItemSchema,
  queueSummarySchema,
  readBody,
  rejectDraftBody,
  styleCheckBody,
  styleCheckSchema,
  transferBody,
  typingBody,
  updateAgentBody,
  uuidParam,
} from '../../protocol/index.js';
import { tenantOf } from '../auth.js';
import { agentOf } from '../zones/agent-zone.js';
import { followConversation } from '../conversation-stream.js';
import { receiveFrames } from '../socket-frames.js';
import type { AppDeps } from '../create-app.js';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema };
const security = [{ agentSession: [] }];
const conversationParams = z.object({ conversationId: uuidParam });
const draftParams = z.object({ conversationId: uuidParam, draftId: uuidParam });

type HandoffDeps = AppDeps & { handoff: HandoffService };

/**
 * Agent accounts managed with a tenant API key that has the `admin` scope (POST/GET/PATCH
 * /v1/agents). Registered inside the tenant API zone, which authenticates, limits and audits.
 */
export async function agentAdminRoutes(app: FastifyInstance, deps: HandoffDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;
  const adminErrors = { ...errors, 403: problemSchema };
  const keySecurity = [{ apiKey: [] }];

  api.post('/agents', {
    config: { scopes: ['admin'] },
    schema: {
      operationId: 'createAgent',
      tags: ['agents'],
      summary: 'Create an agent account (console login)',
      security: keySecurity,
      body: createAgentBody,
      response: { 201: agentSchema, ...adminErrors },
    },
    handler: async (request, reply) => reply.code(201).send(await createAgent(db, tenantOf(request), request.body)),
  });

  api.get('/agents', {
    config: { scopes: ['admin'] },
    schema: {
      operationId: 'listAgents',
      tags: ['agents'],
      summary: "The tenant's agents",
      security: keySecurity,
      response: { 200: z.object({ agents: z.array(agentSchema) }), ...adminErrors },
    },
    handler: async (request) => ({ agents: await listAgents(db, tenantOf(request)) }),
  });

  api.patch('/agents/:agentId', {
    config: { scopes: ['admin'] },
    schema: {
      operationId: 'updateAgent',
      tags: ['agents'],
      summary:
        'Change an agent (name, skills, capacity, password) or disable it (revokes its sessions; its chats go back to the queue)',
      security: keySecurity,
      params: z.object({ agentId: uuidParam }),
      body: updateAgentBody,
      response: { 200: agentSchema, ...adminErrors },
    },
    handler: async (request) => {
      const tenantId = tenantOf(request);
      const agent = await updateAgent(db, tenantId, request.params.agentId, request.body);
      if (request.body.disabled) await deps.handoff.sla.runChecks();
      else if (request.body.maxConcurrent !== undefined || request.body.skills !== undefined)
        await deps.handoff.assigner.assignWaiting(tenantId);
      return agent;
    },
  });
}

/** The agent console's routes, registered inside the agent zone (src/server/zones/agent-zone.ts). */
export async function agentRoutes(app: FastifyInstance, deps: HandoffDeps): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const db = deps.database.db;
  const handoff = deps.handoff;

  const queueItems = async (tenantId: string, views: HandoffView[]) => {
    const ids = views.map((view) => view.conversationId);
    const conversations = await conversationsById(db, tenantId, ids);
    const lastMessages = await lastPublicMessages(db, tenantId, ids);
    // The queue previews what the customer said, not the bot's hand-over line.
    const customerMessages = await lastPublicMessages(db, tenantId, ids, { sentBy: 'contact' });
    return views.flatMap((view) => {
      const conversation = conversations.get(view.conversationId);
      return conversation
        ? [
            {
              conversation,
              handoff: view,
              lastMessage: lastMessages.get(view.conversationId) ?? null,
              lastCustomerMessage: customerMessages.get(view.conversationId) ?? null,
            },
          ]
        : [];
    });
  };

  api.post('/sessions', {
    config: { public: true },
    schema: {
      operationId: 'agentLogin',
      tags: ['agent console'],
      summary: 'Log in as an agent (public): returns a bearer session token (kefu_at_…)',
      security: [],
      body: agentLoginBody,
      response: { 201: agentSessionResponse, 400: problemSchema, 401: problemSchema, 429: problemSchema },
    },
    handler: async (request, reply) => {
      // Guessing passwords, shared by every node with Redis. Every attempt counts against its account
      // (10, then one every 5 s). Failed attempts also count against the password (one password tried
      // across many emails: 10, then one every 5 s) and the client address (60, then one every 2 s).
      // Buckets are keyed by hashes, never by the secrets themselves.
      const limiter = deps.limits?.limiter;
      const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
      const refuse = (retryAfterMs: number, message: string): never => {
        reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
        throw new KefuError(ErrorCodes.rateLimited, message, { status: 429 });
      };
      const failureBuckets: Array<[string, { ratePerSecond: number; burst: number }, string]> = [
        [
          `agent-login-pw:${digest(`kefu-login-password\n${request.body.password}`)}`,
          { ratePerSecond: 0.2, burst: 10 },
          'too many failed logins with this password; try again later',
        ],
        [
          `agent-login-ip:${digest(request.ip)}`,
          { ratePerSecond: 0.5, burst: 60 },
          'too many failed logins from this address; try again later',
        ],
      ];
      if (limiter) {
        const account = `agent-login:${digest(`${request.body.tenant}\n${request.body.email.trim().toLowerCase()}`)}`;
        const decision = await limiter.take(account, { ratePerSecond: 0.2, burst: 10 }).catch(() => null);
        if (decision && !decision.allowed)
          refuse(decision.retryAfterMs, 'too many login attempts for this account; try again later');
        // Cost 0 reads a bucket (after refill) without spending from it.
        for (const [bucket, rate, message] of failureBuckets) {
          const state = await limiter.take(bucket, rate, 0).catch(() => null);
          if (state && state.remaining < 1) refuse(((1 - state.remaining) * 1000) / rate.ratePerSecond, message);
        }
      }
      let session: Awaited<ReturnType<typeof loginAgent>>;
      try {
        session = await loginAgent(
          db,
          { tenantSlug: request.body.tenant, email: request.body.email, password: request.body.password },
          deps.config.handoff.sessionTtlSeconds,
        );
      } catch (error) {
        if (limiter && error instanceof KefuError && error.status === 401)
          for (const [bucket, rate] of failureBuckets) await limiter.take(bucket, rate).catch(() => null);
        throw error;
      }
      return reply
        .code(201)
        .send({ token: session.token, expiresAt: session.expiresAt.toISOString(), agent: session.agent });
    },
  });

  api.delete('/sessions/current', {
    schema: {
      operationId: 'agentLogout',
      tags: ['agent console'],
      summary: 'Log out (revokes this session token)',
      security,
      response: { 204: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      await revokeAgentSession(db, agentOf(request));
      return reply.code(204).send(null);
    },
  });

  api.get('/me', {
    schema: {
      operationId: 'getCurrentAgent',
      tags: ['agent console'],
      summary: 'The logged-in agent',
      security,
      response: { 200: agentSchema, ...errors },
    },
    handler: async (request) => getAgent(db, agentOf(request).tenantId, agentOf(request).agentId),
  });

  api.put('/me/presence', {
    schema: {
      operationId: 'setAgentPresence',
      tags: ['agent console'],
      summary: 'Set presence; going online assigns waiting conversations',
      security,
      body: presenceBody,
      response: { 200: agentSchema, ...errors },
    },
    handler: async (request) => {
      const principal = agentOf(request);
      await handoff.presence.setPresence(principal, request.body.presence);
      return getAgent(db, principal.tenantId, principal.agentId);
    },
  });

  api.get('/agents', {
    schema: {
      operationId: 'listColleagues',
      tags: ['agent console'],
      summary: 'Colleagues (for transfers)',
      security,
      response: { 200: z.object({ agents: z.array(agentSummarySchema) }), ...errors },
    },
    handler: async (request) => ({
      agents: (await listAgents(db, agentOf(request).tenantId))
        .filter((agent) => !agent.disabled)
        .map(({ id, name, skills, presence, activeCount, maxConcurrent }) => ({
          id,
          name,
          skills,
          presence,
          activeCount,
          maxConcurrent,
        })),
    }),
  });

  api.get('/queues', {
    schema: {
      operationId: 'listQueues',
      tags: ['agent console'],
      summary: "The tenant's queues: waiting, agents online, median handle time, ETA",
      security,
      response: { 200: z.object({ queues: z.array(queueSummarySchema) }), ...errors },
    },
    handler: async (request) => ({ queues: await handoff.statistics.all(agentOf(request).tenantId) }),
  });

  api.get('/queue', {
    schema: {
      operationId: 'listWaitingConversations',
      tags: ['agent console'],
      summary: 'Waiting conversations in the queues this agent is skilled for (or one queue), oldest first',
      security,
      querystring: z.object({ queue: z.string().min(1).max(60).optional() }).strict(),
      response: { 200: z.object({ items: z.array(queueItemSchema) }), ...errors },
    },
    handler: async (request) => {
      const principal = agentOf(request);
      return {
        items: await queueItems(principal.tenantId, await handoff.views.waitingFor(principal, request.query.queue)),
      };
    },
  });

  api.get('/conversations', {
    schema: {
      operationId: 'listAssignedConversations',
      tags: ['agent console'],
      summary: 'Conversations assigned to me',
      security,
      response: { 200: z.object({ items: z.array(queueItemSchema) }), ...errors },
    },
    handler: async (request) => {
      const principal = agentOf(request);
      return { items: await queueItems(principal.tenantId, await handoff.views.assignedTo(principal)) };
    },
  });

  api.get('/conversations/:conversationId', {
    schema: {
      operationId: 'getAgentConversation',
      tags: ['agent console'],
      summary: 'A conversation: the hand-off, the last 200 messages (public and internal), drafts, read marks',
      security,
      params: conversationParams,
      response: { 200: conversationViewSchema, ...errors },
    },
    handler: async (request) => {
      const { tenantId, agentId } = agentOf(request);
      const { conversationId } = request.params;
      const conversation = await deps.conversations.getConversation(tenantId, conversationId);
      return {
        conversation,
        handoff: await handoff.views.current(tenantId, conversationId),
        // Personal data shows only to an agent with the pii:read scope (docs/guard.md).
        messages: messagesForAgent(
          await recentMessages(db, tenantId, conversationId),
          await agentCanReadPii(db, tenantId, agentId),
        ),
        drafts: await handoff.drafts.list(tenantId, conversationId),
        reads: await handoff.presence.readMarks(tenantId, conversationId),
      };
    },
  });

  api.get('/conversations/:conversationId/context', {
    schema: {
      operationId: 'getConversationContext',
      tags: ['agent console'],
      summary: 'Context panel: summary, intent and confidence, citations, recent orders, suggested replies',
      security,
      params: conversationParams,
      response: { 200: contextPanelSchema, ...errors },
    },
    handler: async (request) => handoff.contextPanel(agentOf(request).tenantId, request.params.conversationId),
  });

  api.post('/conversations/:conversationId/accept', {
    schema: {
      operationId: 'acceptConversation',
      tags: ['agent console'],
      summary:
        'Take a conversation; of two agents accepting at once exactly one wins (409 CS_HANDOFF_ALREADY_ACCEPTED)',
      security,
      params: conversationParams,
      response: { 200: handoffSchema, ...errors },
    },
    handler: async (request) => {
      const principal = agentOf(request);
      const view = await handoff.queue.accept(principal, request.params.conversationId);
      await handoff.presence.comeOnlineToWork(principal);
      return view;
    },
  });

  api.post('/conversations/:conversationId/messages', {
    schema: {
      operationId: 'sendAgentMessage',
      tags: ['agent console'],
      summary: 'Send a message (public needs me as the assignee) or an internal note',
      security,
      params: conversationParams,
      body: agentMessageBody,
      response: { 200: messageSchema, 201: messageSchema, 422: problemSchema, ...errors },
    },
    handler: async (request, reply) => {
      const result = await handoff.messages.send(agentOf(request), request.params.conversationId, request.body);
      return reply.code(result.duplicate ? 200 : 201).send(result.message);
    },
  });

  api.post('/conversations/:conversationId/style-check', {
    schema: {
      operationId: 'checkAgentMessageStyle',
      tags: ['agent console'],
      summary: "What the tenant's style guide and compliance rules say about a text before it is sent, with the fix",
      security,
      params: conversationParams,
      body: styleCheckBody,
      response: { 200: styleCheckSchema, ...errors },
    },
    handler: async (request) =>
      handoff.messages.checkStyle(agentOf(request), request.params.conversationId, request.body.text),
  });

  const draftResponse = z.object({ draft: draftSchema, message: messageSchema.nullable() });
  api.post('/conversations/:conversationId/drafts/:draftId/approve', {
    schema: {
      operationId: 'approveDraft',
      tags: ['agent console'],
      summary: 'Send an assist draft as it is',
      security,
      params: draftParams,
      response: { 200: draftResponse, ...errors },
    },
    handler: async (request) =>
      handoff.drafts.decide(agentOf(request), request.params.conversationId, request.params.draftId, {
        action: 'approve',
      }),
  });
  api.post('/conversations/:conversationId/drafts/:draftId/edit', {
    schema: {
      operationId: 'editDraft',
      tags: ['agent console'],
      summary: 'Send an edited assist draft; the character edit distance is stored for the learning loop',
      security,
      params: draftParams,
      body: editDraftBody,
      response: { 200: draftResponse, 422: problemSchema, ...errors },
    },
    handler: async (request) =>
      handoff.drafts.decide(agentOf(request), request.params.conversationId, request.params.draftId, {
        action: 'edit',
        text: request.body.text,
      }),
  });
  api.post('/conversations/:conversationId/drafts/:draftId/reject', {
    schema: {
      operationId: 'rejectDraft',
      tags: ['agent console'],
      summary: 'Reject an assist draft (nothing is sent)',
      security,
      params: draftParams,
      body: rejectDraftBody.nullish(),
      response: { 200: draftResponse, ...errors },
    },
    handler: async (request) =>
      handoff.drafts.decide(agentOf(request), request.params.conversationId, request.params.draftId, {
        action: 'reject',
        ...(request.body?.reason ? { reason: request.body.reason } : {}),
      }),
  });

  api.post('/conversations/:conversationId/transfer', {
    schema: {
      operationId: 'transferConversation',
      tags: ['agent console'],
      summary: 'Transfer to a colleague (agentId) or a queue',
      security,
      params: conversationParams,
      body: transferBody,
      response: { 200: handoffSchema, ...errors },
    },
    handler: async (request) => handoff.queue.transfer(agentOf(request), request.params.conversationId, request.body),
  });

  api.post('/conversations/:conversationId/return-to-bot', {
    schema: {
      operationId: 'returnConversationToBot',
      tags: ['agent console'],
      summary: 'Give the conversation back to the bot',
      security,
      params: conversationParams,
      response: { 200: handoffSchema, ...errors },
    },
    handler: async (request) => handoff.queue.returnToBot(agentOf(request), request.params.conversationId),
  });

  api.post('/conversations/:conversationId/close', {
    schema: {
      operationId: 'closeConversation',
      tags: ['agent console'],
      summary: 'Close with a resolution code',
      security,
      params: conversationParams,
      body: closeBody,
      response: { 200: handoffSchema, ...errors },
    },
    handler: async (request) =>
      handoff.queue.close(
        agentOf(request),
        request.params.conversationId,
        request.body.resolutionCode,
        request.body.note,
      ),
  });

  api.post('/conversations/:conversationId/read', {
    schema: {
      operationId: 'markConversationRead',
      tags: ['agent console'],
      summary: 'Read receipt: I have read up to seq',
      security,
      params: conversationParams,
      body: readBody,
      response: { 204: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      const principal = agentOf(request);
      await handoff.presence.markRead(
        principal.tenantId,
        request.params.conversationId,
        { kind: 'agent', id: principal.agentId },
        request.body.seq,
      );
      return reply.code(204).send(null);
    },
  });

  api.post('/conversations/:conversationId/typing', {
    schema: {
      operationId: 'setAgentTyping',
      tags: ['agent console'],
      summary: 'Typing indicator to the customer',
      security,
      params: conversationParams,
      body: typingBody,
      response: { 204: z.null(), ...errors },
    },
    handler: async (request, reply) => {
      const principal = agentOf(request);
      await requireConversation(db, principal.tenantId, request.params.conversationId);
      await handoff.presence.typing(
        principal.tenantId,
        request.params.conversationId,
        { kind: 'agent', id: principal.agentId, name: principal.name },
        request.body.active,
      );
      return reply.code(204).send(null);
    },
  });

  api.get(
    '/ws',
    {
      websocket: true,
      schema: {
        operationId: 'openAgentConsoleSocket',
        tags: ['agent console'],
        summary: 'Console WebSocket (query: token). Frames in docs/handoff.md',
        querystring: z.object({ token: z.string().max(300) }).strict(),
      },
    },
    async (socket, request) => {
      // Listen at once: frames that arrive while the token is being checked are queued, not lost.
      const frames = receiveFrames(socket, { log: request.log, kind: 'agent', onFailure: deps.onSocketFailure });
      let closed = false;
      const send = (payload: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
      };
      // The agent zone read the token (?token=: browsers cannot set headers on a WebSocket).
      const principal = request.agent;
      if (!principal) {
        send({ type: 'error', code: ErrorCodes.unauthorized, message: 'invalid or expired agent session' });
        socket.close(4401, 'unauthorized');
        return;
      }
      const { tenantId, agentId } = principal;
      const followers = new Map<string, { stop: () => void }>();

      // The console being open is the agent's presence heartbeat (reclaim after KEFU_AGENT_RECLAIM_AFTER_MS without it).
      await handoff.presence.touch(principal);
      // The client may have left meanwhile: its close has passed, so nothing registered below would be released.
      if (socket.readyState !== socket.OPEN) return;
      const heartbeat = setInterval(
        () => void handoff.presence.touch(principal).catch(() => undefined),
        Math.max(50, Math.min(15_000, deps.config.handoff.reclaimAfterMs / 3)),
      );
      heartbeat.unref();

      const forward = async (event: DomainEvent) => {
        if (event.tenantId !== tenantId) return;
        switch (event.type) {
          case 'handoff.updated': {
            const view = await handoff.views.byId(tenantId, event.handoffId);
            if (view) send({ type: 'handoff.updated', conversationId: event.conversationId, handoff: view });
            return;
          }
          case 'draft.updated': {
            const draft = await handoff.drafts.find(tenantId, event.draftId);
            if (draft) send({ type: 'draft.updated', conversationId: event.conversationId, draft });
            return;
          }
          case 'typing.updated':
            if (event.actor.kind === 'agent' && event.actor.id === agentId) return;
            send({
              type: 'typing.updated',
              conversationId: event.conversationId,
              actor: { kind: event.actor.kind, id: event.actor.id },
              active: event.active,
            });
            return;
          case 'read.updated':
            if (event.reader.kind === 'agent' && event.reader.id === agentId) return;
            send({ type: 'read.updated', conversationId: event.conversationId, reader: event.reader, seq: event.seq });
            return;
          case 'sla.breached':
            send({
              type: 'sla.breached',
              conversationId: event.conversationId,
              handoffId: event.handoffId,
              kind: event.kind,
            });
            return;
          case 'agent.updated': {
            const agent = await getAgent(db, tenantId, event.agentId).catch(() => null);
            if (agent)
              send({
                type: 'agent.updated',
                agent: {
                  id: agent.id,
                  name: agent.name,
                  skills: agent.skills,
                  presence: agent.presence,
                  activeCount: agent.activeCount,
                  maxConcurrent: agent.maxConcurrent,
                },
              });
            return;
          }
          default:
            return;
        }
      };
      const unsubscribe = deps.bus.subscribe((event) => {
        if (!closed) void forward(event).catch((error) => request.log.error({ err: error }, 'console push failed'));
      });
      const disposeShutdown = deps.onShutdown(() => socket.close(1012, 'restarting'));
      const stopAll = () => {
        if (closed) return;
        closed = true;
        disposeShutdown();
        clearInterval(heartbeat);
        unsubscribe();
        for (const follower of followers.values()) follower.stop();
        followers.clear();
        // The console is gone now: the reclaim timer starts from here.
        void handoff.presence.touch(principal).catch(() => undefined);
      };
      socket.on('close', stopAll);
      socket.on('error', stopAll);

      const refuse = (error: unknown, clientId?: string) => {
        if (!isKefuError(error)) request.log.error({ err: error }, 'console frame failed');
        send({
          type: 'error',
          ...(clientId ? { clientId } : {}),
          code: isKefuError(error) ? error.code : ErrorCodes.internal,
          message: isKefuError(error) ? error.message : 'internal error',
        });
      };

      const ready = await getAgent(db, tenantId, agentId);
      const piiRead = await agentCanReadPii(db, tenantId, agentId);
      const handle = async (data: Buffer, isBinary: boolean): Promise<void> => {
        if (isBinary)
          return send({ type: 'error', code: ErrorCodes.unsupportedMediaType, message: 'send JSON text frames' });
        let frame;
        try {
          frame = consoleClientEvent.parse(JSON.parse(data.toString('utf8')));
        } catch {
          return send({
            type: 'error',
            code: ErrorCodes.validation,
            message: 'malformed frame: see docs/handoff.md for the console frames',
          });
        }
        void handoff.presence.touch(principal).catch(() => undefined);
        try {
          switch (frame.type) {
            case 'ping':
              return send({ type: 'pong' });
            case 'conversation.subscribe': {
              await requireConversation(db, tenantId, frame.conversationId);
              followers.get(frame.conversationId)?.stop();
              if (followers.size >= 200 && !followers.has(frame.conversationId)) {
                throw new KefuError(ErrorCodes.validation, 'at most 200 conversations per console connection', {
                  status: 400,
                });
              }
              const follower = followConversation(
                deps,
                { tenantId, conversationId: frame.conversationId, includeInternal: true },
                frame.afterSeq,
                (message) =>
                  send({
                    type: 'message.created',
                    conversationId: frame.conversationId,
                    message: messagesForAgent([message], piiRead)[0],
                  }),
              );
              followers.set(frame.conversationId, follower);
              return;
            }
            case 'conversation.unsubscribe':
              followers.get(frame.conversationId)?.stop();
              followers.delete(frame.conversationId);
              return;
            case 'message.create': {
              const result = await handoff.messages.send(principal, frame.conversationId, {
                text: frame.text,
                clientId: frame.clientId,
                ...(frame.visibility ? { visibility: frame.visibility } : {}),
              });
              return send({
                type: 'message.ack',
                clientId: frame.clientId,
                conversationId: frame.conversationId,
                id: result.message.id,
                seq: result.message.seq,
                duplicate: result.duplicate,
              });
            }
            case 'typing.update':
              await requireConversation(db, tenantId, frame.conversationId);
              await handoff.presence.typing(
                tenantId,
                frame.conversationId,
                { kind: 'agent', id: agentId, name: principal.name },
                frame.active,
              );
              return;
            case 'read.update':
              await handoff.presence.markRead(
                tenantId,
                frame.conversationId,
                { kind: 'agent', id: agentId },
                frame.seq,
              );
              return;
            case 'presence.update':
              await handoff.presence.setPresence(principal, frame.presence);
              return;
          }
        } catch (error) {
          refuse(error, frame.type === 'message.create' ? frame.clientId : undefined);
        }
      };
      send({ type: 'session.ready', agent: ready });
      frames.start(handle);
    },
  );
}
