import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runEvalRetrieval } from '../cli/commands/eval-retrieval.js';

async function files(kb: string, queries: string): Promise<{ kb: string; queries: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'kefu-eval-'));
  await writeFile(join(folder, 'kb.jsonl'), kb);
  await writeFile(join(folder, 'queries.jsonl'), queries);
  return { kb: join(folder, 'kb.jsonl'), queries: join(folder, 'queries.jsonl') };
}

describe('kefu eval retrieval', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints one JSON object with the agreed fields, honouring exclude_ids', async () => {
    const paths = await files(
      [
        '{"id":"q1","question":"怎么修改密码","answer":""}',
        '{"id":"q2","question":"密码怎么改","answer":""}',
        '{"id":"q3","question":"How do I change my password?","answer":""}',
        '{"id":"q4","question":"运费多少","answer":""}',
        '',
      ].join('\n'),
      [
        '{"query":"怎么修改密码","relevant_ids":["q2"],"exclude_ids":["q1"]}',
        '{"query":"change password","relevant_ids":["q3"]}',
        '{"query":"运费","relevant_ids":["q9"]}',
      ].join('\n'),
    );
    let output = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      output += String(chunk);
      return true;
    });
    await runEvalRetrieval({ ...paths, k: '10', json: true });
    const result = JSON.parse(output) as Record<string, number>;
    expect(Object.keys(result)).toEqual([
      'n',
      'recall_at_1',
      'recall_at_5',
      'mrr_at_10',
      'index_ms',
      'query_ms_p50',
      'query_ms_p99',
    ]);
    expect(result).toMatchObject({ n: 3, recall_at_1: 0.6667, recall_at_5: 0.6667 });
  });

  it('names the file and line of a malformed row', async () => {
    const paths = await files(
      '{"id":"a","question":"x","answer":""}\n{"id": 5}\n',
      '{"query":"x","relevant_ids":["a"]}\n',
    );
    await expect(runEvalRetrieval({ ...paths, json: true })).rejects.toThrow(
      `${paths.kb}:2: "id" must be a non-empty string`,
    );
    const broken = await files(
      '{"id":"a","question":"x","answer":""}\n',
      '{"query":"x","relevant_ids":["a"]}\n{"query":\n',
    );
    await expect(runEvalRetrieval({ ...broken, json: true })).rejects.toThrow(
      new RegExp(`${broken.queries}:2: not valid JSON`),
    );
    await expect(runEvalRetrieval({ kb: '/nonexistent/kb.jsonl', queries: paths.queries })).rejects.toThrow(
      /cannot read \/nonexistent\/kb.jsonl \(ENOENT\)/,
    );
    await expect(runEvalRetrieval({ ...paths, k: '0' })).rejects.toThrow(/--k must be a positive integer/);
  });
});
