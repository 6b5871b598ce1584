import { sql } from 'kysely';
import { insertUsageRows, usageRows, type UsageEntry } from '../metering/index.js';
import type { Db } from '../store/database.js';
import type { MessageRow } from '../store/schema.js';
import { serializeDialogueState } from './dialogue-state.js';
import { toMessage, type Message } from './mappers.js';
import { messageValues } from './messages-repository.js';
import { customerMessageUsage, inboundMessage, type CustomerMessageInput } from './store-customer-message.js';
import type { TurnRecord } from './turn-recorder.js';
import { traceRow, turnStyleCheckRow, turnUsageOf } from './turn-rows.js';

/** A one-commit turn that can share a transaction with others: answered by the bot, nothing to hand over. */
export type BatchableTurn = TurnRecord & { inbound: CustomerMessageInput; stateVersion: number };

export function isBatchable(turn: TurnRecord): turn is BatchableTurn {
  const { decision } = turn;
  return (
    turn.inbound !== undefined &&
    turn.stateVersion !== null &&
    decision.route === 'auto' &&
    decision.draft === null &&
    !decision.handoffNote
  );
}

export type BatchOutcome =
  | { status: 'stale' }
  | { status: 'duplicate' }
  | { status: 'recorded'; inbound: Message; reply: Message; usage: UsageEntry[] };

/**
 * Stores several one-commit turns (of any conversations and tenants) in one transaction, with one
 * statement per table: what each turn's own transaction would store, in the same order (the
 * conversation row locks, the customer messages, the replies, the style checks, the traces, the
 * ledger rows, the dialogue states). A turn whose conversation moved on (another turn wrote its
 * state, or a person took it over) is `stale`, one whose idempotency key is taken `duplicate`;
 * neither stores anything. Any other failure fails the whole batch, and the caller stores the
 * turns one by one.
 */
export async function storeTurnBatch(trx: Db, turns: readonly BatchableTurn[]): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = turns.map(() => ({ status: 'stale' }));
  // Row locks in one order (by id) for every batch, so two nodes' batches cannot deadlock.
  const locked = await trx
    .selectFrom('conversations')
    .select(['tenant_id', 'id', 'status', 'state_version', 'assignee_kind', 'contact_id'])
    .where((where) =>
      where.or(
        turns.map((turn) => where.and([where('tenant_id', '=', turn.tenantId), where('id', '=', turn.conversationId)])),
      ),
    )
    .orderBy('id')
    .forUpdate()
    .execute();
  const rowOf = new Map(locked.map((row) => [`${row.tenant_id}/${row.id}`, row]));
  const live = turns.flatMap((turn, index) => {
    const row = rowOf.get(`${turn.tenantId}/${turn.conversationId}`);
    if (!row || row.state_version !== turn.stateVersion || row.assignee_kind === 'agent') return [];
    return [
      { turn, index, row, inbound: inboundMessage(turn.inbound, { contactId: row.contact_id, botAnswers: true }) },
    ];
  });
  if (live.length === 0) return outcomes;

  // The customer messages first (their seq before their replies'); a taken idempotency key inserts nothing.
  const inserted = await trx
    .insertInto('messages')
    .values(live.map((entry) => messageValues(entry.inbound)))
    .onConflict((conflict) =>
      conflict
        .columns(['tenant_id', 'conversation_id', 'external_id'])
        .where('external_id', 'is not', null)
        .doNothing(),
    )
    .returningAll()
    .execute();
  const insertedById = new Map<string, MessageRow>(inserted.map((row) => [row.id, row]));
  const stored = live.flatMap((entry) => {
    const inbound = insertedById.get(entry.inbound.id);
    if (inbound) return [{ ...entry, inboundRow: inbound }];
    outcomes[entry.index] = { status: 'duplicate' };
    return [];
  });
  if (stored.length === 0) return outcomes;

  const replies = stored.map(({ turn }) =>
    messageValues({
      tenantId: turn.tenantId,
      conversationId: turn.conversationId,
      direction: 'outgoing',
      visibility: 'public',
      sender: { kind: 'bot', id: null },
      parts: turn.decision.reply.parts,
      text: turn.decision.reply.text,
      turnId: turn.turnId,
    }),
  );
  const replyRows = await trx.insertInto('messages').values(replies).returningAll().execute();
  const replyById = new Map(replyRows.map((row) => [row.id, row]));

  const styleChecks = stored.flatMap(({ turn }, index) => turnStyleCheckRow(turn, replies[index]!.id) ?? []);
  if (styleChecks.length > 0) await trx.insertInto('style_checks').values(styleChecks).execute();
  await trx
    .insertInto('turn_traces')
    .values(stored.map(({ turn, inboundRow }, index) => traceRow(turn, inboundRow.id, replies[index]!.id)))
    .execute();
  const usage = stored.map(({ turn, inboundRow }, index) => [
    ...customerMessageUsage(turn.inbound, inboundRow),
    ...turnUsageOf(turn, [{ messageId: replies[index]!.id, text: turn.decision.reply.text }]),
  ]);
  await insertUsageRows(
    trx,
    stored.flatMap(({ turn }, index) => usageRows(turn.tenantId, usage[index]!)),
  );

  // Every state in one statement, each only over the version its turn read (the locks hold it).
  const now = new Date();
  const states = stored.map(({ turn, row }) => {
    // A message reopens a resolved conversation.
    const status = row.status === 'resolved' ? 'open' : row.status;
    return sql`(${turn.tenantId}::uuid, ${turn.conversationId}::uuid, ${serializeDialogueState(turn.decision.nextState)}::jsonb, ${status}::text, ${turn.stateVersion}::int)`;
  });
  const updated = await sql`
    update conversations as c
    set state = v.state, state_version = c.state_version + 1, status = v.status,
        last_message_at = ${now}, updated_at = ${now}
    from (values ${sql.join(states)}) as v(tenant_id, id, state, status, version)
    where c.tenant_id = v.tenant_id and c.id = v.id and c.state_version = v.version`.execute(trx);
  if (Number(updated.numAffectedRows ?? 0) !== stored.length)
    throw new Error('dialogue state changed under the conversation lock');

  stored.forEach(({ index, inboundRow }, position) => {
    outcomes[index] = {
      status: 'recorded',
      inbound: toMessage(inboundRow),
      reply: toMessage(replyById.get(replies[position]!.id)!),
      usage: usage[position]!,
    };
  });
  return outcomes;
}
