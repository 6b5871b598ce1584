// Fault injection: many calls against a server that misbehaves at random (seeded). Every call must
// end within its budget, with an answer or a typed LlmCallError: never a hang, never an
// unhandled rejection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startScriptedOpenAiServer,
  type ScriptedOpenAiServer,
  type ScriptedReply,
} from '../../test/support/scripted-openai-server.js';
import { answerWithPassages, type Passage } from './answer-with-passages.js';
import { buildSystemPrompt } from './build-system-prompt.js';
import { isLlmCallError } from './llm-call-error.js';
import { createOpenAiCompatibleModel } from './openai-compatible-model.js';

/** mulberry32: small, seedable, good enough to pick faults. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, weighted: [number, T][]): T {
  const total = weighted.reduce((sum, [weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [weight, value] of weighted) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return weighted.at(-1)![1];
}

const NEVER_SETTLES = '__never__';

async function withinBound<T>(work: Promise<T>, boundMs: number): Promise<T | typeof NEVER_SETTLES> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<typeof NEVER_SETTLES>(
    (resolve) => (timer = setTimeout(() => resolve(NEVER_SETTLES), boundMs)),
  );
  try {
    return await Promise.race([work, guard]);
  } finally {
    clearTimeout(timer);
  }
}

async function inBatches<T>(count: number, concurrency: number, run: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        results[index] = await run(index);
      }
    }),
  );
  return results;
}

const passages: Passage[] = [
  { id: 'faq-refund', text: '起飞前 24 小时以上退票，收取 5% 的退票费。' },
  { id: 'faq-luggage', text: 'Economy includes 23 kg of checked luggage.' },
];
const questions = ['退票费怎么算？', '退票費怎麼算？', 'How much luggage can I check in?'];
const tools = [
  {
    name: 'order_status',
    description: '查询订单',
    parameters: { type: 'object', properties: { order_id: { type: 'string' } } },
  },
];

let server: ScriptedOpenAiServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startScriptedOpenAiServer();
});
afterAll(async () => {
  await server.close();
  process.off('unhandledRejection', onUnhandled);
});

describe('fault injection', () => {
  it('200 answerWithPassages calls against a randomly failing server all end in time, answered or with a typed error', async () => {
    const random = seededRandom(20_261_125);
    server.setScript((): ScriptedReply =>
      pick<() => ScriptedReply>(random, [
        [
          30,
          () => ({
            text: pick(random, [
              [1, '退票费为票价的 5% [1]。'],
              [1, 'Economy includes 23 kg [2].'],
              [1, '一般是 10%。'],
              [1, 'See [9].'],
            ]),
          }),
        ],
        [8, () => ({ text: '稍等 [1]', delayMs: 80 })],
        [10, () => ({ kind: 'hang' })],
        [
          10,
          () => ({
            kind: 'error',
            status: pick(random, [
              [1, 500],
              [1, 502],
              [1, 503],
              [1, 504],
            ]),
          }),
        ],
        [8, () => ({ kind: 'error', status: 429, retryAfterMs: 30 })],
        [3, () => ({ kind: 'error', status: 429, retryAfter: '120' })],
        [3, () => ({ kind: 'error', status: 400 })],
        [
          7,
          () => ({
            kind: 'raw',
            body: pick(random, [
              [1, '{"choices":[{"mess'],
              [1, '{"choices":[]}'],
              [1, 'null'],
              [1, '<html>bad gateway</html>'],
            ]),
          }),
        ],
        [10, () => ({ toolCalls: [{ name: 'order_status', arguments: '{"order_id":"A-1"}' }] })],
        [4, () => ({ toolCalls: [{ name: 'delete_account', arguments: '{}' }] })],
        [4, () => ({ toolCalls: [{ name: 'order_status', arguments: '{"order_id":' }] })],
        [3, () => ({ kind: 'reset' })],
      ])(),
    );
    const model = createOpenAiCompatibleModel({
      baseUrl: server.url,
      model: 'chaos',
      timeoutMs: 250,
      maxRetries: 2,
      retryBaseDelayMs: 20,
      maxRetryDelayMs: 200,
    });
    const systemPrompt = buildSystemPrompt({ tenantName: '云杉航空', locale: 'zh-CN' });
    const budgetMs = 1_500;
    const toolRandom = seededRandom(7);

    const started = performance.now();
    const outcomes = await inBatches(200, 25, async (index) => {
      const callStarted = performance.now();
      const settled = await withinBound(
        answerWithPassages(model, {
          question: questions[index % questions.length],
          passages,
          systemPrompt,
          tools,
          maxSteps: 3,
          timeoutMs: budgetMs,
          executeTool: () =>
            pick<() => unknown>(toolRandom, [
              [6, () => ({ status: 'shipped' })],
              [2, () => Promise.reject(new Error('connector down'))],
              [1, () => new Promise(() => undefined)], // a tool that never returns
            ])(),
        }).then(
          (answer) => ({ kind: 'answer' as const, answer }),
          (error: unknown) => ({ kind: 'error' as const, error }),
        ),
        budgetMs + 2_000,
      );
      return { settled, elapsedMs: performance.now() - callStarted };
    });
    const totalMs = performance.now() - started;

    const hangs = outcomes.filter((outcome) => outcome.settled === NEVER_SETTLES);
    expect(hangs).toHaveLength(0);
    const settled = outcomes.map((outcome) => outcome.settled as Exclude<typeof outcome.settled, typeof NEVER_SETTLES>);
    const errors = settled.filter((outcome) => outcome.kind === 'error').map((outcome) => outcome.error);
    const untyped = errors.filter((error) => !isLlmCallError(error));
    expect(untyped).toEqual([]);
    const slowest = Math.max(...outcomes.map((outcome) => outcome.elapsedMs));
    expect(slowest).toBeLessThan(budgetMs + 1_000); // slack for a busy 2-core machine
    expect(unhandled).toEqual([]);

    const answers = settled.filter((outcome) => outcome.kind === 'answer').map((outcome) => outcome.answer);
    const codes: Record<string, number> = {};
    for (const error of errors)
      codes[(error as { code: string }).code] = (codes[(error as { code: string }).code] ?? 0) + 1;
    const stopReasons: Record<string, number> = {};
    for (const answer of answers) stopReasons[answer.stopReason] = (stopReasons[answer.stopReason] ?? 0) + 1;
    // Both kinds of outcome must actually occur, or the test proves nothing.
    expect(answers.length).toBeGreaterThan(20);
    expect(errors.length).toBeGreaterThan(10);
    expect(answers.some((answer) => answer.grounded)).toBe(true);
    expect(answers.some((answer) => !answer.grounded)).toBe(true);
    console.info(
      `fault injection: ${answers.length} answered (${answers.filter((answer) => answer.grounded).length} grounded; stop reasons ${JSON.stringify(stopReasons)}), ` +
        `${errors.length} typed errors ${JSON.stringify(codes)}; slowest call ${Math.round(slowest)} ms, all 200 in ${Math.round(totalMs)} ms, ${server.requests.length} upstream requests`,
    );
  });

  it('100 streams against stalls, truncation, resets and bad chunks all end in time with text or a typed error', async () => {
    const random = seededRandom(42);
    server.setScript((): ScriptedReply =>
      pick<() => ScriptedReply>(random, [
        [30, () => ({ text: '您好，退票费为票价的 5% [1]。', chunkSize: 2, chunkDelayMs: 3 })],
        [10, () => ({ kind: 'hang', afterHeaders: true })],
        [10, () => ({ kind: 'hang' })],
        [
          15,
          () => ({
            text: 'this stream is cut off before the end',
            chunkSize: 3,
            chunkDelayMs: 3,
            truncateAfterChunks: 1 + Math.floor(random() * 6),
          }),
        ],
        [10, () => ({ kind: 'error', status: 503 })],
        [5, () => ({ kind: 'error', status: 429, retryAfterMs: 20 })],
        [
          10,
          () => ({
            kind: 'raw',
            contentType: 'text/event-stream',
            body: 'data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: {broken\n\n',
          }),
        ],
        [5, () => ({ kind: 'reset' })],
        [5, () => ({ toolCalls: [{ name: 'order_status', arguments: '{"order_id":"A-1"}' }], chunkSize: 4 })],
      ])(),
    );
    const model = createOpenAiCompatibleModel({
      baseUrl: server.url,
      model: 'chaos',
      timeoutMs: 250,
      maxRetries: 1,
      retryBaseDelayMs: 20,
      maxRetryDelayMs: 200,
    });
    const outcomes = await inBatches(100, 25, async () => {
      const callStarted = performance.now();
      const settled = await withinBound(
        (async () => {
          let finished = false;
          for await (const part of model.stream({
            messages: [{ role: 'user', content: '退票费？' }],
            signal: AbortSignal.timeout(1_500),
          })) {
            if (part.type === 'finish') finished = true;
          }
          return { kind: 'finished' as const, finished };
        })().catch((error: unknown) => ({ kind: 'error' as const, error })),
        3_500,
      );
      return { settled, elapsedMs: performance.now() - callStarted };
    });
    expect(outcomes.filter((outcome) => outcome.settled === NEVER_SETTLES)).toHaveLength(0);
    const settled = outcomes.map((outcome) => outcome.settled as Exclude<typeof outcome.settled, typeof NEVER_SETTLES>);
    expect(settled.filter((outcome) => outcome.kind === 'error' && !isLlmCallError(outcome.error))).toEqual([]);
    expect(settled.filter((outcome) => outcome.kind === 'finished').every((outcome) => outcome.finished)).toBe(true);
    expect(settled.some((outcome) => outcome.kind === 'finished')).toBe(true);
    expect(settled.some((outcome) => outcome.kind === 'error')).toBe(true);
    expect(Math.max(...outcomes.map((outcome) => outcome.elapsedMs))).toBeLessThan(2_500);
    expect(unhandled).toEqual([]);
  });
});
