import { describe, expect, it } from 'vitest';
import { contextFor, fixedRuntime } from './__fixtures__/turn-fixtures.js';
import { playbookStart } from './playbook-start.js';

describe('playbook-start responder', () => {
  it('starts the intent’s playbook and asks for the missing slot', async () => {
    const proposal = await playbookStart.propose(
      contextFor(fixedRuntime({ intent: 'order.status', confidence: 0.9 }), '我的订单到哪了'),
    );
    expect(proposal).toMatchObject({ route: 'auto', tier: 'playbook', text: '请发一下订单号（XM 开头）。' });
    expect(proposal?.reasons).toEqual(['confidence 0.900 ≥ gate 0.6: starts playbook order-status']);
    expect(proposal?.playbook?.next?.waitingAt).toBe('ask-order');
    expect(proposal?.playbook?.trace.name).toBe('order-status');
  });

  it('fills the slot from the message, or from what an earlier turn remembered', async () => {
    const runtime = fixedRuntime({ intent: 'order.status', confidence: 0.9 });
    const fromMessage = await playbookStart.propose(contextFor(runtime, '訂單XM20261121001到哪了'));
    expect(fromMessage?.text).toBe('订单 XM20261121001 已发货。');
    const fromMemory = await playbookStart.propose(
      contextFor(runtime, 'where is my order', { memory: { order_no: 'XM20261121002' } }),
    );
    expect(fromMemory?.text).toBe('订单 XM20261121002 已发货。');
  });

  it('hands over when the intent names a playbook that failed validation, and declines intents without one', async () => {
    const proposal = await playbookStart.propose(
      contextFor(fixedRuntime({ intent: 'invoice', confidence: 0.9 }), '怎么开发票'),
    );
    expect(proposal).toMatchObject({
      route: 'human',
      reasons: ['intent invoice names playbook invoice, which is not valid: playbook invoice: steps: Too small'],
    });
    expect(
      await playbookStart.propose(contextFor(fixedRuntime({ intent: 'greeting', confidence: 0.9 }), '你好')),
    ).toBeNull();
  });
});
