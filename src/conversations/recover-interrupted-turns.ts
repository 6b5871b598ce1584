import type { EventBus } from '../bus/index.js';
import type { Db } from '../store/database.js';
import { toMessage } from './mappers.js';
import { insertMessage } from './messages-repository.js';
import { canTransition } from './status.js';
import type { TenantRuntimes } from './tenant-runtimes.js';
import type { TurnHandoffHook } from './turn-recorder.js';

export interface RecoveryDeps {
  db: Db;
  bus: EventBus;
  runtimes: TenantRuntimes;
  handoff?: TurnHandoffHook;
}

const REASON = 'turn interrupted: the process stopped before replying';

/**
 * Customer messages whose turn never finished (the process died between storing the message
 * and storing the reply): each gets the tenant's hand-over message and a trace saying why, and
 * its conversation waits for a person. Only messages older than `olderThanMs` are touched, so a
 * turn still running on another node is left alone. Returns how many it found.
 */
export async function recoverInterruptedTurns(deps: RecoveryDeps, olderThanMs: number): Promise<number> {
  const { db, bus, runtimes, handoff } = deps;
  const orphans = await db
    .selectFrom('messages as message')
    .leftJoin('turn_traces as trace', (join) =>
      join.onRef('trace.id', '=', 'message.turn_id').onRef('trace.tenant_id', '=', 'message.tenant_id'),
    )
    .select(['message.id', 'message.tenant_id', 'message.conversation_id', 'message.turn_id'])
    .where('message.direction', '=', 'incoming')
    .where('message.turn_id', 'is not', null)
    .where('trace.id', 'is', null)
    .where('message.created_at', '<', new Date(Date.now() - olderThanMs))
    .orderBy('message.seq')
    .limit(1000)
    .execute();
  for (const orphan of orphans) {
    const tenantId = orphan.tenant_id;
    const conversationId = orphan.conversation_id;
    const turnId = orphan.turn_id!;
    const text = (await runtimes.get(tenantId)).messages.handoff;
    const recovered = await db.transaction().execute(async (trx) => {
      const conversation = await trx
        .selectFrom('conversations')
        .select(['status'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', conversationId)
        .forUpdate()
        .executeTakeFirst();
      if (!conversation) return null;
      const reply = await insertMessage(trx, {
        tenantId,
        conversationId,
        direction: 'outgoing',
        visibility: 'public',
        sender: { kind: 'system', id: null },
        parts: [
          { type: 'text', text },
          { type: 'handoff', reason: REASON },
        ],
        text,
        turnId,
      });
      await trx
        .insertInto('turn_traces')
        .values({
          id: turnId,
          tenant_id: tenantId,
          conversation_id: conversationId,
          inbound_message_id: orphan.id,
          reply_message_id: reply.id,
          route: 'human',
          tier: 'human',
          intent: null,
          confidence: 0,
          latency_ms: 0,
          trace: JSON.stringify({
            route: 'human',
            tier: 'human',
            reasons: [REASON],
            handoffReason: REASON,
            recovered: true,
          }),
        })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
      if (conversation.status !== 'pending' && canTransition(conversation.status, 'pending')) {
        await trx
          .updateTable('conversations')
          .set({ status: 'pending', assignee_kind: 'none', updated_at: new Date() })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', conversationId)
          .execute();
      }
      const afterHandoff = handoff
        ? await handoff.onTurnRouted(trx, {
            tenantId,
            conversationId,
            turnId,
            route: 'human',
            intent: null,
            reason: REASON,
            requestedBy: 'system',
            draft: null,
          })
        : null;
      return { reply: toMessage(reply), afterHandoff };
    });
    if (recovered) {
      await bus.publish({
        type: 'message.created',
        tenantId,
        conversationId,
        messageId: recovered.reply.id,
        seq: recovered.reply.seq,
      });
      if (recovered.afterHandoff) await recovered.afterHandoff().catch(() => undefined);
    }
  }
  return orphans.length;
}
