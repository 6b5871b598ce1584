import { randomUUID } from 'node:crypto';
import type { EventBus } from '../bus/index.js';
import { toMessage, validateMessageText, type Message, type RoutedTurn } from '../conversations/index.js';
import type { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import { ErrorCodes, KefuError } from '../errors/index.js';
import type { Db } from '../store/database.js';
import { insertAgentMessage } from './agent-messages.js';
import type { AgentPrincipal } from './agents.js';
import { styleForCustomer } from './customer-style.js';
import { editDistance } from './edit-distance.js';
import type { DraftRow } from './handoff-tables.js';
import { lockHeldHandoff, markFirstResponse } from './handoffs-repository.js';
import { publishHandoffUpdated } from './publish-handoff.js';

export interface DraftView {
  id: string;
  conversationId: string;
  turnId: string | null;
  text: string;
  /** What it was written from: a model (`llm`), the tenant's FAQ, its documents; null for older drafts. */
  basis: DraftRow['basis'];
  status: DraftRow['status'];
  finalText: string | null;
  editDistance: number | null;
  agentId: string | null;
  decidedAt: string | null;
  createdAt: string;
}

export type DraftDecision =
  { action: 'approve' } | { action: 'edit'; text: string } | { action: 'reject'; reason?: string };

export function toDraftView(row: DraftRow): DraftView {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    turnId: row.turn_id,
    text: row.text,
    basis: row.basis,
    status: row.status,
    finalText: row.final_text,
    editDistance: row.edit_distance,
    agentId: row.agent_id,
    decidedAt: row.decided_at ? row.decided_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Assist drafts: the bot's proposed answers an agent approves (sent as is), edits (sent as the
 * agent wrote it; the edit distance is kept for learning) or rejects (nothing is sent).
 */
export class DraftService {
  constructor(
    private readonly deps: { db: Db; bus: EventBus; runtimes: TenantRuntimeCache; maxMessageChars: number },
  ) {}

  async list(tenantId: string, conversationId: string): Promise<DraftView[]> {
    const rows = await this.deps.db
      .selectFrom('drafts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at')
      .execute();
    return rows.map(toDraftView);
  }

  async find(tenantId: string, draftId: string): Promise<DraftView | null> {
    const row = await this.deps.db
      .selectFrom('drafts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', draftId)
      .executeTakeFirst();
    return row ? toDraftView(row) : null;
  }

  /**
   * Inside the turn's transaction: keeps the turn's draft for the agent. Returns what to run
   * after the commit (the live update), or null when the turn carried no draft.
   */
  async keepTurnDraft(trx: Db, turn: RoutedTurn): Promise<(() => Promise<void>) | null> {
    if (!turn.draft) return null;
    const draft = await trx
      .insertInto('drafts')
      .values({
        id: randomUUID(),
        tenant_id: turn.tenantId,
        conversation_id: turn.conversationId,
        turn_id: turn.turnId,
        message_id: turn.draft.messageId,
        text: turn.draft.text,
        parts: JSON.stringify(turn.draft.parts),
        basis: turn.draft.basis,
        status: 'pending',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return () =>
      this.deps.bus.publish({
        type: 'draft.updated',
        tenantId: turn.tenantId,
        conversationId: turn.conversationId,
        draftId: draft.id,
        status: draft.status,
      });
  }

  /** Approve (send as is), edit (send the agent's text; the edit distance is stored) or reject. */
  async decide(
    principal: AgentPrincipal,
    conversationId: string,
    draftId: string,
    decision: DraftDecision,
  ): Promise<{ draft: DraftView; message: Message | null }> {
    const { db, bus, runtimes } = this.deps;
    const { tenantId } = principal;
    // The style guide may load the tenant's runtime: apply it before the transaction opens.
    let finalText: string | null = null;
    if (decision.action === 'edit') {
      finalText = await styleForCustomer(
        runtimes,
        tenantId,
        validateMessageText(decision.text, this.deps.maxMessageChars),
      );
    } else if (decision.action === 'approve') {
      const pending = await db
        .selectFrom('drafts')
        .select(['text'])
        .where('tenant_id', '=', tenantId)
        .where('conversation_id', '=', conversationId)
        .where('id', '=', draftId)
        .executeTakeFirst();
      if (pending) finalText = await styleForCustomer(runtimes, tenantId, pending.text);
    }
    const result = await db.transaction().execute(async (trx) => {
      const handoff = await lockHeldHandoff(trx, principal, conversationId);
      const draft = await trx
        .selectFrom('drafts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('conversation_id', '=', conversationId)
        .where('id', '=', draftId)
        .forUpdate()
        .executeTakeFirst();
      if (!draft) throw new KefuError(ErrorCodes.draftNotFound, 'draft not found', { status: 404 });
      if (draft.status !== 'pending') {
        throw new KefuError(ErrorCodes.draftAlreadyDecided, `this draft was already ${draft.status}`, { status: 409 });
      }
      const now = new Date();
      if (decision.action === 'reject') {
        const row = await trx
          .updateTable('drafts')
          .set({
            status: 'rejected',
            agent_id: principal.agentId,
            decided_at: now,
            reject_reason: decision.reason?.slice(0, 1000) ?? null,
          })
          .where('id', '=', draft.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { draft: row, message: null, handoff };
      }
      // Approving sends the draft with the style guide's replacements applied.
      const text = finalText ?? draft.text;
      const message = (await insertAgentMessage(trx, principal, conversationId, text, 'public', null))!;
      await markFirstResponse(trx, handoff);
      const row = await trx
        .updateTable('drafts')
        .set({
          status: decision.action === 'approve' ? 'approved' : 'edited',
          final_text: text,
          edit_distance: editDistance(draft.text, text),
          agent_id: principal.agentId,
          decided_at: now,
          sent_message_id: message.id,
        })
        .where('id', '=', draft.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { draft: row, message, handoff };
    });
    const message = result.message ? toMessage(result.message) : null;
    if (message) {
      await bus.publish({ type: 'message.created', tenantId, conversationId, messageId: message.id, seq: message.seq });
    }
    await bus.publish({ type: 'draft.updated', tenantId, conversationId, draftId, status: result.draft.status });
    if (message && !result.handoff.first_response_at) await publishHandoffUpdated(bus, result.handoff);
    return { draft: toDraftView(result.draft), message };
  }
}
