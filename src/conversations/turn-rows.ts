import type { Insertable } from 'kysely';
import { maskDeep } from '../guard/pii/index.js';
import { styleCheckRow } from '../guard/style/style-checks.js';
import type { StyleChecksTable } from '../guard/style/style-checks.js';
import { turnUsage, type UsageEntry } from '../metering/index.js';
import type { TurnTracesTable } from '../store/schema.js';
import type { TurnRecord } from './turn-recorder.js';

/** The stored trace of a turn. The trace is analytics, not the conversation: personal data in it is masked. */
export function traceRow(
  turn: TurnRecord,
  inboundMessageId: string,
  replyMessageId: string,
): Insertable<TurnTracesTable> {
  const { decision } = turn;
  return {
    id: turn.turnId,
    tenant_id: turn.tenantId,
    conversation_id: turn.conversationId,
    inbound_message_id: inboundMessageId,
    reply_message_id: replyMessageId,
    route: decision.route,
    tier: decision.tier,
    intent: decision.intent,
    confidence: decision.confidence,
    latency_ms: turn.latencyMs,
    tokens_in: turn.usage.inputTokens,
    tokens_out: turn.usage.outputTokens,
    cost_micros: turn.costMicros,
    trace: JSON.stringify(
      maskDeep({
        ...decision.trace,
        route: decision.route,
        tier: decision.tier,
        handoffReason: decision.handoffReason,
        events: decision.events,
        ...turn.traceExtras,
      }),
    ),
  };
}

/** The style guard's verdict on the message it checked, for the tenant's consistency score. */
export function turnStyleCheckRow(turn: TurnRecord, messageId: string): Insertable<StyleChecksTable> | null {
  const { guard } = turn.decision.trace;
  if (!guard.outcome) return null;
  return styleCheckRow({
    tenantId: turn.tenantId,
    messageId,
    kind: guard.kind ?? 'bot',
    outcome: guard.outcome,
    rules: guard.rules ?? [],
  });
}

/** The turn, its tokens, connector calls and stored bytes: billed with the reply, or not at all. */
export function turnUsageOf(turn: TurnRecord, stored: Array<{ messageId: string; text: string }>): UsageEntry[] {
  return turnUsage({
    turnId: turn.turnId,
    conversationId: turn.conversationId,
    tier: turn.decision.tier,
    route: turn.decision.route,
    tokensIn: turn.usage.inputTokens,
    tokensOut: turn.usage.outputTokens,
    connectorCalls: turn.connectorCalls,
    stored,
    apiKeyId: turn.apiKeyId,
  });
}
