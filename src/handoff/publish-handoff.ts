import type { EventBus } from '../bus/index.js';
import type { HandoffRow } from './handoff-tables.js';

/** Tells every node (consoles, widgets, the assist drafter) that a handoff changed; call after commit. */
export async function publishHandoffUpdated(
  bus: EventBus,
  row: Pick<HandoffRow, 'id' | 'tenant_id' | 'conversation_id' | 'queue' | 'status' | 'agent_id'>,
): Promise<void> {
  await bus.publish({
    type: 'handoff.updated',
    tenantId: row.tenant_id,
    conversationId: row.conversation_id,
    handoffId: row.id,
    queue: row.queue,
    status: row.status,
    agentId: row.agent_id,
  });
}
