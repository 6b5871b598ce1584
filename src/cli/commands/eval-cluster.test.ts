import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runEvalCluster } from './eval-cluster.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../learning/__fixtures__/phrasings.jsonl');

describe('kefu eval cluster', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints one JSON object with nmi, ari, acc, clusters_found and seconds', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    await runEvalCluster({ data: fixture, json: true });
    expect(written).toHaveLength(1);
    const printed = JSON.parse(written[0]!);
    for (const key of ['nmi', 'ari', 'acc', 'clusters_found', 'seconds']) expect(typeof printed[key]).toBe('number');
    expect(printed).toMatchObject({ n: 48, labels: 6, k: 'auto' });
    expect(printed.clusters_found).toBeGreaterThanOrEqual(5);
    expect(printed.clusters_found).toBeLessThanOrEqual(7);
    expect(printed.nmi).toBeGreaterThan(0.8);
  });

  it('takes a fixed k and rejects bad input with a plain message', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const result = await runEvalCluster({ data: fixture, k: '6', json: true });
    expect(result.k).toBe(6);
    expect(result.clusters_found).toBeLessThanOrEqual(6);
    await expect(runEvalCluster({ data: fixture, k: 'many' })).rejects.toThrow(/--k must be "auto" or a positive/);
    const folder = mkdtempSync(path.join(tmpdir(), 'kefu-eval-cluster-'));
    const bad = path.join(folder, 'bad.jsonl');
    writeFileSync(bad, '{"text":"退票","label":"a"}\n{"text":"","label":"b"}\n');
    await expect(runEvalCluster({ data: bad })).rejects.toThrow(/bad\.jsonl:2: "text" must be a non-empty string/);
    writeFileSync(bad, 'not json\n');
    await expect(runEvalCluster({ data: bad })).rejects.toThrow(/bad\.jsonl:1: not valid JSON/);
    await expect(runEvalCluster({ data: path.join(folder, 'missing.jsonl') })).rejects.toThrow(/cannot read/);
  });
});
