import { randomUUID } from 'node:crypto';
import type { EventBus } from '../bus/index.js';
import {
  lockConversation,
  requireConversation,
  toMessage,
  validateMessageText,
  type Message,
} from '../conversations/index.js';
import type { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import type { MessagePart, MessageRow } from '../store/schema.js';
import type { AgentPrincipal } from './agents.js';
import {
  checkAgentText,
  styleAgentMessage,
  styleCheckView,
  type StyleCheckView,
  type StyleOverride,
} from '../guard/style/agent-style.js';
import { recordStyleCheck } from '../guard/style/style-checks.js';
import { recordAudit } from '../tenancy/audit.js';
import type { HandoffRow } from './handoff-tables.js';
import { lockHeldHandoff, markFirstResponse } from './handoffs-repository.js';
import { publishHandoffUpdated } from './publish-handoff.js';
import { appendUsage, storedBytes } from '../metering/index.js';

/**
 * Stores an agent's message inside `trx`; undefined when `externalId` was already used in the
 * conversation (a retried send).
 */
export async function insertAgentMessage(
  trx: Db,
  principal: AgentPrincipal,
  conversationId: string,
  text: string,
  visibility: 'public' | 'internal',
  externalId: string | null,
): Promise<MessageRow | undefined> {
  return trx
    .insertInto('messages')
    .values({
      id: randomUUID(),
      tenant_id: principal.tenantId,
      conversation_id: conversationId,
      direction: 'outgoing',
      visibility,
      sender_kind: 'agent',
      sender_id: principal.agentId,
      content: JSON.stringify([{ type: 'text', text }] satisfies MessagePart[]),
      text,
      external_id: externalId,
      turn_id: null,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'conversation_id', 'external_id'])
        .where('external_id', 'is not', null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * What an agent writes into a conversation. Public messages need the agent to hold the
 * conversation, follow the tenant's style guide and stop the first-response clock; internal
 * notes any agent of the tenant may add. A repeated `clientId` returns the first message.
 */
export class AgentMessages {
  constructor(
    private readonly deps: { db: Db; bus: EventBus; runtimes: TenantRuntimeCache; maxMessageChars: number },
  ) {}

  async send(
    principal: AgentPrincipal,
    conversationId: string,
    input: {
      text: string;
      clientId?: string;
      visibility?: 'public' | 'internal';
      /** Send a message the style guide flags anyway, for this reason (recorded in the audit log). */
      styleOverride?: StyleOverride;
    },
  ): Promise<{ message: Message; duplicate: boolean }> {
    const visibility = input.visibility ?? 'public';
    const written = validateMessageText(input.text, this.deps.maxMessageChars);
    // Internal notes are for colleagues; only what the customer sees follows the style guide.
    const verdict =
      visibility === 'public'
        ? await styleAgentMessage(this.deps, principal.tenantId, conversationId, written, input.styleOverride ?? null)
        : null;
    const text = verdict ? verdict.text : written;
    const externalId = input.clientId ? `agent:${principal.agentId}:${input.clientId}` : null;
    const result = await this.deps.db.transaction().execute(async (trx) => {
      let handoff: HandoffRow | null = null;
      if (visibility === 'public') handoff = await lockHeldHandoff(trx, principal, conversationId);
      // Locked: a message inserted after this commits in seq order with the conversation's others.
      else await lockConversation(trx, principal.tenantId, conversationId);
      const row = await insertAgentMessage(trx, principal, conversationId, text, visibility, externalId);
      if (!row) {
        const existing = await trx
          .selectFrom('messages')
          .selectAll()
          .where('tenant_id', '=', principal.tenantId)
          .where('conversation_id', '=', conversationId)
          .where('external_id', '=', externalId!)
          .executeTakeFirstOrThrow();
        if (existing.text !== text) {
          throw new KefuError(
            ErrorCodes.idempotencyConflict,
            'this clientId was already used for a different message',
            {
              status: 409,
            },
          );
        }
        return { row: existing, duplicate: true, handoff };
      }
      // What an agent writes is stored like any message: its bytes are billed with the message.
      await appendUsage(trx, principal.tenantId, [
        {
          meter: 'storage.bytes',
          quantity: storedBytes(row.text),
          dedupeKey: `storage.bytes:${row.id}`,
          conversationId,
          messageId: row.id,
        },
      ]);
      if (handoff) await markFirstResponse(trx, handoff);
      if (verdict) {
        await recordStyleCheck(trx, {
          tenantId: principal.tenantId,
          messageId: row.id,
          kind: 'agent',
          outcome: verdict.outcome,
          rules: verdict.rules,
        });
        if (verdict.override)
          await recordAudit(trx, {
            tenantId: principal.tenantId,
            actor: `agent:${principal.agentId}`,
            action: 'style.override',
            target: row.id,
            details: { conversationId, rules: verdict.rules, reason: verdict.override.reason.slice(0, 500) },
          });
      }
      return { row, duplicate: false, handoff };
    });
    const message = toMessage(result.row);
    if (!result.duplicate) {
      await this.deps.bus.publish({
        type: 'message.created',
        tenantId: principal.tenantId,
        conversationId,
        messageId: message.id,
        seq: message.seq,
      });
      // The first public answer stopped the first-response clock: consoles show it.
      if (result.handoff && !result.handoff.first_response_at)
        await publishHandoffUpdated(this.deps.bus, result.handoff);
    }
    return { message, duplicate: result.duplicate };
  }

  /** What the style guide says about a text before it is sent: the console shows it with the fix. */
  async checkStyle(principal: AgentPrincipal, conversationId: string, text: string): Promise<StyleCheckView> {
    await requireConversation(this.deps.db, principal.tenantId, conversationId);
    const written = validateMessageText(text, this.deps.maxMessageChars);
    return styleCheckView(await checkAgentText(this.deps, principal.tenantId, conversationId, written));
  }
}
