import { storedBytes, type UsageEntry } from './ledger.js';
import { turnMeter } from './meters.js';

/** The ledger rows of a stored customer message: one message and the bytes it takes. */
export function inboundUsage(input: {
  messageId: string;
  conversationId: string;
  turnId: string | null;
  text: string;
  apiKeyId?: string | null;
  idempotencyKey?: string | null;
}): UsageEntry[] {
  const references = {
    conversationId: input.conversationId,
    messageId: input.messageId,
    turnId: input.turnId,
    apiKeyId: input.apiKeyId ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
  };
  return [
    { meter: 'messages', quantity: 1, dedupeKey: `messages:${input.messageId}`, ...references },
    {
      meter: 'storage.bytes',
      quantity: storedBytes(input.text),
      dedupeKey: `storage.bytes:${input.messageId}`,
      ...references,
    },
  ];
}

/** The ledger rows of a finished turn: the turn by tier, LLM tokens, connector calls, stored replies. */
export function turnUsage(input: {
  turnId: string;
  conversationId: string;
  tier: string;
  route: string;
  tokensIn: number;
  tokensOut: number;
  connectorCalls: number;
  stored: Array<{ messageId: string; text: string }>;
  apiKeyId?: string | null;
}): UsageEntry[] {
  const references = { conversationId: input.conversationId, turnId: input.turnId, apiKeyId: input.apiKeyId ?? null };
  // Token counts come from an upstream API: never let a fractional or negative one abort the commit.
  const count = (value: number) => (Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0);
  return [
    { meter: turnMeter(input.tier, input.route), quantity: 1, dedupeKey: `turn:${input.turnId}`, ...references },
    {
      meter: 'llm.tokens_in',
      quantity: count(input.tokensIn),
      dedupeKey: `llm.tokens_in:${input.turnId}`,
      ...references,
    },
    {
      meter: 'llm.tokens_out',
      quantity: count(input.tokensOut),
      dedupeKey: `llm.tokens_out:${input.turnId}`,
      ...references,
    },
    {
      meter: 'connector.calls',
      quantity: input.connectorCalls,
      dedupeKey: `connector.calls:${input.turnId}`,
      ...references,
    },
    ...input.stored.map((message): UsageEntry => ({
      meter: 'storage.bytes',
      quantity: storedBytes(message.text),
      dedupeKey: `storage.bytes:${message.messageId}`,
      ...references,
      messageId: message.messageId,
    })),
  ];
}
