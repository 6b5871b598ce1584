import { describe, expect, it } from 'vitest';
import { parseDialogueState, serializeDialogueState } from './dialogue-state.js';

describe('dialogue state as stored', () => {
  it('reads a state written before the format was recorded as format 1', () => {
    const legacy = { turns: 2, lastIntent: 'logistics.delay', memory: { order_no: 'XM20261115003' }, clarify: null };
    expect(parseDialogueState(legacy)).toEqual({ state: legacy, problem: null });
  });

  it('round-trips a paused playbook, and keeps fields it does not know', () => {
    const state = {
      turns: 1,
      playbook: {
        playbook: 'logistics-delay',
        waitingAt: 'ask-order-no',
        slots: {},
        variables: {},
        attempts: { 'ask-order-no': 0 },
        offered: [{ label: '转人工', intent: 'human.request' }],
      },
      later: { added: '以后的字段' },
    };
    const stored = JSON.parse(serializeDialogueState(state));
    expect(stored.format).toBe(1);
    expect(parseDialogueState(stored)).toEqual({ state, problem: null });
  });

  it('starts afresh on a state that does not parse, and says where it was wrong', () => {
    const read = parseDialogueState({ turns: 1, memory: { order_no: { nested: true } } });
    expect(read.state).toEqual({});
    expect(read.problem).toContain('memory.order_no');
    expect(parseDialogueState({ format: 2 }).problem).toContain('format');
  });
});
