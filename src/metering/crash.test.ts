import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startKefuProcess, type KefuProcess } from '../../test/support/kefu-process.js';
import { startScriptedOpenAiServer } from '../../test/support/scripted-openai-server.js';
import { withPostgresSchema } from '../../test/support/postgres-schema.js';

/**
 * kill -9 between the two commits of a turn: a real `kefu serve` process is killed while the LLM
 * (a scripted server that never answers) holds the turn. After a restart, the ledger has the
 * message (it was committed) and not the turn (its reply never was); nothing is billed twice.
 */
const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

async function scenario(env: Record<string, string>) {
  const model = await startScriptedOpenAiServer([]);
  let first: KefuProcess | undefined;
  let second: KefuProcess | undefined;
  try {
    const llm = {
      KEFU_NLU: 'lexical',
      KEFU_LLM_BASE_URL: model.url,
      KEFU_LLM_MODEL: 'scripted-model',
      KEFU_LLM_TIMEOUT_MS: '60000',
      KEFU_LLM_ANSWER_TIMEOUT_MS: '60000',
      KEFU_LLM_MAX_RETRIES: '0',
    };
    first = await startKefuProcess({ ...env, ...llm });
    const key = first.keys.get('shop-zh')!;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const conversation = (await (
      await fetch(`${first.baseUrl}/v1/conversations`, { method: 'POST', headers, body: '{}' })
    ).json()) as { id: string };
    // One finished turn (light tier), then one that hangs in the LLM tier.
    const done = await fetch(`${first.baseUrl}/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text: '运费怎么算' }),
    });
    expect(done.status).toBe(201);
    model.setScript(() => ({ kind: 'hang' }));
    const calls = model.requests.length;
    const hanging = fetch(`${first.baseUrl}/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': 'crash-1' },
      body: JSON.stringify({ text: '運費怎麼算？另外退貨要多久才能退款？' }),
    }).catch(() => null);
    const deadline = Date.now() + 30_000;
    while (model.requests.length === calls && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(model.requests.length).toBeGreaterThan(calls);
    await first.kill();
    await hanging;

    second = await startKefuProcess({ ...env, KEFU_NLU: 'lexical', KEFU_RECOVER_AFTER_MS: '0' });
    const after = { authorization: `Bearer ${second.keys.get('shop-zh')!}`, 'content-type': 'application/json' };
    const usage = (await (await fetch(`${second.baseUrl}/v1/usage`, { headers: after })).json()) as {
      messages: number;
      turns: number;
      meters: Record<string, number>;
    };
    // Both messages were committed; only the first turn's reply was.
    expect(usage.messages).toBe(2);
    expect(usage.turns).toBe(1);
    // The interrupted turn was answered with a hand-over at start, and is not billed as a turn.
    const messages = (await (
      await fetch(`${second.baseUrl}/v1/conversations/${conversation.id}/messages`, { headers: after })
    ).json()) as { messages: Array<{ direction: string }> };
    expect(messages.messages.map((message) => message.direction)).toEqual([
      'incoming',
      'outgoing',
      'incoming',
      'outgoing',
    ]);
    // The client retries the killed POST with its Idempotency-Key: the stored message comes back, billed once.
    const retry = await fetch(`${second.baseUrl}/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { ...after, 'idempotency-key': 'crash-1' },
      body: JSON.stringify({ text: '運費怎麼算？另外退貨要多久才能退款？' }),
    });
    expect(retry.status).toBe(200);
    const again = (await (await fetch(`${second.baseUrl}/v1/usage`, { headers: after })).json()) as {
      messages: number;
      turns: number;
    };
    expect(again).toMatchObject({ messages: 2, turns: 1 });
  } finally {
    await first?.kill();
    await second?.kill();
    await model.close();
  }
}

describe('kill -9 between the commits of a turn', () => {
  it.skipIf(Boolean(process.env.DATABASE_URL))(
    'bills the message and not the turn (PGlite)',
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-metering-crash-'));
      directories.push(dataDir);
      await scenario({ KEFU_DATA_DIR: dataDir, DATABASE_URL: '' });
    },
    240_000,
  );

  it.runIf(Boolean(process.env.DATABASE_URL))(
    'bills the message and not the turn (PostgreSQL)',
    async () => {
      await withPostgresSchema(process.env.DATABASE_URL!, 'metering_crash', (url) =>
        scenario({ DATABASE_URL: url, KEFU_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'kefu-metering-crash-')) }),
      );
    },
    240_000,
  );
});
