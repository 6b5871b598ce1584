import { describe, expect, it } from 'vitest';
import { startState, type PlaybookRunState } from '../../playbooks/index.js';
import type { DialogueState } from '../turn-types.js';
import { contextFor, fixedRuntime, orderPlaybook } from './__fixtures__/turn-fixtures.js';
import { activePlaybook } from './active-playbook.js';

const waitingForOrder: PlaybookRunState = { ...startState(orderPlaybook, {}), waitingAt: 'ask-order' };
const offering: PlaybookRunState = {
  ...startState(orderPlaybook, { order_no: 'XM20261121001' }),
  offered: [
    { label: '催一下', goto: 'hurry' },
    { label: '我要退货', intent: 'faq-1' },
  ],
};
const inPlaybook = (playbook: PlaybookRunState): DialogueState => ({ lastIntent: 'order.status', playbook });

describe('active-playbook responder', () => {
  it('resumes the paused ask with the slot the message fills, and remembers it', async () => {
    const context = contextFor(
      fixedRuntime({ intent: null, confidence: 0.1 }),
      '订单号是XM20261121001',
      inPlaybook(waitingForOrder),
    );
    const proposal = await activePlaybook.propose(context);
    expect(proposal).toMatchObject({
      route: 'auto',
      tier: 'playbook',
      intent: 'order.status',
      text: '订单 XM20261121001 已发货。',
    });
    expect(proposal?.quickReplies).toEqual(['催一下', '我要退货']);
    expect(proposal?.reasons).toEqual(['continues playbook order-status']);
    expect(proposal?.playbook?.remember).toEqual({ order_no: 'XM20261121001' });
    expect(proposal?.playbook?.next?.offered.map((reply) => reply.label)).toEqual(['催一下', '我要退货']);
  });

  it('follows a quick reply that goes to a step, with the event it emits', async () => {
    const context = contextFor(fixedRuntime({ intent: null, confidence: 0 }), '催一下', inPlaybook(offering));
    const proposal = await activePlaybook.propose(context);
    expect(proposal).toMatchObject({
      tier: 'playbook',
      text: '已为订单 XM20261121001 加急。',
      reasons: ['quick reply "催一下" in playbook order-status'],
    });
    expect(proposal?.events).toEqual([{ event: 'order.hurried', data: { order: 'XM20261121001' } }]);
  });

  it('declines a quick reply that starts another intent: the message is read as that intent', async () => {
    const context = contextFor(fixedRuntime({ intent: null, confidence: 0 }), '我要退货', inPlaybook(offering));
    expect(await activePlaybook.propose(context)).toBeNull();
    expect(context.understanding).toMatchObject({ intent: 'faq-1', confidence: 1 });
    expect(context.notes).toEqual(['quick reply "我要退货" in playbook order-status']);
    expect(context.leftPlaybook).toEqual({ name: 'order-status', status: 'done', steps: [] });
  });

  it('lets a confident message about another topic leave the playbook', async () => {
    const context = contextFor(
      fixedRuntime({ intent: 'faq-3', confidence: 0.9 }),
      'How long does delivery take?',
      inPlaybook(waitingForOrder),
    );
    expect(await activePlaybook.propose(context)).toBeNull();
    expect(context.notes).toEqual(['leaves playbook order-status']);
  });

  it('keeps asking while the customer answers off the point, and declines with no playbook paused', async () => {
    const unsure = fixedRuntime({ intent: null, confidence: 0.2 });
    const proposal = await activePlaybook.propose(contextFor(unsure, '我忘了', inPlaybook(waitingForOrder)));
    expect(proposal).toMatchObject({ tier: 'playbook', reasons: ['continues playbook order-status'] });
    expect(proposal?.playbook?.next?.waitingAt).toBe('ask-order');
    expect(await activePlaybook.propose(contextFor(unsure, '我忘了'))).toBeNull();
  });
});
