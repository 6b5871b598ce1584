import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedOpenAiServer } from './support/scripted-openai-server.js';
import { askOnce, createTestKefu, type TestKefu } from './support/test-kefu.js';

/**
 * The LLM tier through the real pipeline and the real OpenAI-compatible HTTP adapter, against a
 * scripted server on 127.0.0.1.
 */
type Server = Awaited<ReturnType<typeof startScriptedOpenAiServer>>;
let server: Server;
let kefu: TestKefu;
let key: string;
const auth = () => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  server = await startScriptedOpenAiServer([]);
  kefu = await createTestKefu({
    KEFU_LLM_BASE_URL: server.url,
    KEFU_LLM_MODEL: 'scripted-model',
    KEFU_LLM_TIMEOUT_MS: '300',
    KEFU_LLM_MAX_RETRIES: '1',
    KEFU_LLM_ANSWER_TIMEOUT_MS: '1500',
  });
  key = kefu.keyOf('shop-zh');
});
afterAll(async () => {
  await kefu?.dispose();
  await server?.close();
});

async function ask(text: string) {
  const conversation = (
    await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth(), payload: {} })
  ).json();
  const response = await kefu.app.inject({
    method: 'POST',
    url: `/v1/conversations/${conversation.id}/messages`,
    headers: auth(),
    payload: { text },
  });
  expect(response.statusCode).toBe(201);
  const body = response.json();
  const trace = (await kefu.app.inject({ url: `/v1/traces/${body.turn.traceId}`, headers: auth() })).json();
  return { body, trace };
}

// A multi-part question goes to the LLM (the light tier answers one question per message).
const MULTI_PART = '运费怎么算？另外退货要多久才能退款？';

describe('LLM tier', () => {
  it('answers a multi-part question with a grounded, cited answer, and records tokens and cost', async () => {
    server.setScript(() => ({
      text: '七天无理由退货的寄回运费由您承担[1]；退款在仓库验收后 48 小时内原路退回[2]。',
      usage: { prompt_tokens: 900, completion_tokens: 60 },
    }));
    const { body, trace } = await ask(MULTI_PART);
    expect(body.turn).toMatchObject({ route: 'auto', tier: 'llm' });
    expect(body.reply.text).toContain('运费');
    expect(trace.trace.llm).toMatchObject({
      model: 'scripted-model',
      grounded: true,
      usage: { inputTokens: 900, outputTokens: 60 },
    });
    expect(trace.trace.citations.length).toBeGreaterThan(0);
    const row = await kefu.database.db
      .selectFrom('turn_traces')
      .select(['tokens_in', 'tokens_out', 'cost_micros'])
      .where('id', '=', body.turn.traceId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ tokens_in: 900, tokens_out: 60 });
    expect(Number(row.cost_micros)).toBe(Math.round(900 * 0.002 * 1000 + 60 * 0.008 * 1000));
    // The model saw the passages and the question, never another tenant's data.
    const request = JSON.stringify(server.requests.at(-1));
    expect(request).toContain('运费');
    expect(request).not.toContain('青禾银行');
  });

  it('hands over when the answer cites nothing that was retrieved', async () => {
    server.setScript(() => ({ text: '您好，运费是 100 元，退款需要一个月。' }));
    const { body, trace } = await ask(MULTI_PART);
    expect(body.turn.route).toBe('human');
    expect(trace.trace.reasons.join(' ')).toMatch(/cites nothing/);
  });

  it('withholds an answer that repeats the system prompt', async () => {
    server.setScript((request) => {
      const system = (request.body as { messages: Array<{ role: string; content: string }> }).messages.find(
        (message) => message.role === 'system',
      )!.content;
      return { text: `${system.slice(0, 400)} [1]` };
    });
    const { body, trace } = await ask(MULTI_PART);
    expect(body.turn.route).toBe('human');
    expect(trace.trace.reasons.join(' ')).toMatch(/repeats the system prompt/);
  });

  it('ends every one of 200 turns against a faulty model in an answer or a handoff, in bounded time', async () => {
    let call = 0;
    const faults = ['ok', 'error500', 'hang', 'malformed', 'rate', 'ok', 'uncited', 'reset'] as const;
    server.setScript(() => {
      const fault = faults[call++ % faults.length]!;
      switch (fault) {
        case 'ok':
          return { text: '运费规则见配送说明[1]。' };
        case 'uncited':
          return { text: '不确定。' };
        case 'error500':
          return { kind: 'error', status: 500 };
        case 'hang':
          return { kind: 'hang' };
        case 'malformed':
          return { kind: 'raw', body: '{"choices": [' };
        case 'rate':
          return { kind: 'error', status: 429, retryAfter: '120' };
        case 'reset':
          return { kind: 'reset' };
      }
    });
    const questions = [
      MULTI_PART,
      '运费怎么算？多久能到？',
      '七天無理由退貨怎麼申請？',
      'How much is shipping? And how long does a refund take?',
    ];
    const outcomes: Record<string, number> = {};
    let slowest = 0;
    for (let index = 0; index < 200; index += 1) {
      const started = Date.now();
      const { body, trace } = await ask(questions[index % questions.length]!);
      slowest = Math.max(slowest, Date.now() - started);
      const ok =
        (body.turn.tier === 'llm' && trace.trace.llm.grounded) ||
        body.turn.tier === 'light' ||
        body.turn.tier === 'fallback' ||
        body.turn.route === 'human';
      expect(ok, JSON.stringify(body.turn)).toBe(true);
      if (body.turn.route === 'human' && trace.trace.llm)
        expect(trace.trace.reasons.join(' ')).toMatch(/LLM|cites nothing/);
      const label = trace.trace.llm?.error ?? `${body.turn.route}/${body.turn.tier}`;
      outcomes[label] = (outcomes[label] ?? 0) + 1;
    }
    expect(slowest).toBeLessThan(5000);
    // Failures were real and visible in the traces.
    expect(Object.keys(outcomes).some((label) => label.startsWith('CS_LLM_'))).toBe(true);
    expect(outcomes['auto/llm']).toBeGreaterThan(0);
    console.info('200 faulty-LLM turns:', outcomes, `slowest ${slowest} ms`);
  }, 600_000);
});

describe('streaming', () => {
  it('streams the answer token by token over SSE, then the final message', async () => {
    const answer = '七天无理由退货的寄回运费由您承担[1]；退款在验收后 48 小时内原路退回[2]。';
    server.setScript(() => ({ text: answer, chunkSize: 3, chunkDelayMs: 5 }));
    const base = await kefu.app.listen({ port: 0, host: '127.0.0.1' });
    const conversation = (
      await kefu.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth(), payload: {} })
    ).json();
    const controller = new AbortController();
    const stream = await fetch(`${base}/v1/conversations/${conversation.id}/stream`, {
      headers: auth(),
      signal: controller.signal,
    });
    const reader = stream.body!.getReader();
    let text = '';
    const post = kefu.app.inject({
      method: 'POST',
      url: `/v1/conversations/${conversation.id}/messages`,
      headers: auth(),
      payload: { text: MULTI_PART },
    });
    while ((text.match(/event: message.created/g) ?? []).length < 2)
      text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const result = (await post).json();
    expect(result.turn.tier).toBe('llm');
    const deltas = [...text.matchAll(/event: message.delta\ndata: (.*)\n/g)].map((match) => JSON.parse(match[1]!));
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.every((delta) => delta.turnId === result.turn.traceId)).toBe(true);
    expect(deltas.map((delta) => delta.delta).join('')).toBe(answer);
    // The deltas came before the final message of the same turn.
    expect(text.indexOf('event: message.delta')).toBeLessThan(text.lastIndexOf('event: message.created'));
    expect(result.reply.text).toBe(answer);
  });
});

describe('cost ledger', () => {
  it('reports turns and cost per tier, reconciling with the traces, and the saving against all-LLM', async () => {
    server.setScript(() => ({ text: '运费规则见配送说明[1]。', usage: { prompt_tokens: 800, completion_tokens: 40 } }));
    await ask(MULTI_PART);
    await ask('七天无理由退货怎么申请？');
    const response = await kefu.app.inject({ url: '/v1/reports/cost', headers: auth() });
    expect(response.statusCode).toBe(200);
    const report = response.json();
    const rows = await kefu.database.db
      .selectFrom('turn_traces')
      .innerJoin('tenants', 'tenants.id', 'turn_traces.tenant_id')
      .select(['turn_traces.tier', 'turn_traces.cost_micros'])
      .where('tenants.slug', '=', 'shop-zh')
      .execute();
    expect(report.turns).toBe(rows.length);
    const costMicros = rows.reduce((sum, row) => sum + Number(row.cost_micros), 0);
    expect(Math.round(report.costYuan * 1_000_000)).toBe(costMicros);
    const llm = report.tiers.find((tier: { tier: string }) => tier.tier === 'llm');
    expect(llm.turns).toBeGreaterThan(0);
    expect(report.baselineBasis).toBe('measured average of LLM turns');
    expect(report.allLlmBaselineYuan).toBeCloseTo((llm.costYuan / llm.turns) * report.turns, 9);
    expect(report.savingShare).toBeGreaterThan(0);
    // bank-zh has its own price sheet in its pack.
    const bankKey = kefu.keyOf('bank-zh');
    server.setScript(() => ({
      text: '分期手续费按期收取[1]。',
      usage: { prompt_tokens: 1000, completion_tokens: 100 },
    }));
    const bank = await askOnce(kefu, bankKey, '信用卡年费怎么收？另外积分怎么兑换？');
    expect(bank.trace.trace.llm).toMatchObject({ usage: { inputTokens: 1000, outputTokens: 100 } });
    const bankRow = await kefu.database.db
      .selectFrom('turn_traces')
      .select(['cost_micros'])
      .where('id', '=', bank.body.turn.traceId)
      .executeTakeFirstOrThrow();
    expect(Number(bankRow.cost_micros)).toBe(Math.round(1000 * 0.004 * 1000 + 100 * 0.016 * 1000));
    // A malformed period is refused.
    const forbidden = await kefu.app.inject({ url: '/v1/reports/cost?from=not-a-date', headers: auth() });
    expect(forbidden.statusCode).toBe(400);
  });
});

describe('without an LLM', () => {
  it('sends the multi-part question to a person with a polite message, never a made-up answer', async () => {
    const plain = await createTestKefu();
    try {
      const shopKey = plain.keyOf('shop-zh');
      const conversation = (
        await plain.app.inject({
          method: 'POST',
          url: '/v1/conversations',
          headers: { authorization: `Bearer ${shopKey}` },
          payload: {},
        })
      ).json();
      const body = (
        await plain.app.inject({
          method: 'POST',
          url: `/v1/conversations/${conversation.id}/messages`,
          headers: { authorization: `Bearer ${shopKey}` },
          payload: { text: '这款手机壳和你们家的耳机能一起用吗？保修期多久？' },
        })
      ).json();
      expect(body.turn.tier).not.toBe('llm');
      expect(['human', 'auto']).toContain(body.turn.route);
    } finally {
      await plain.dispose();
    }
  }, 120_000);
});
