import { describe, expect, it } from 'vitest';
import { createInProcessJobQueue } from './in-process-job-queue.js';

describe('in-process job queue', () => {
  it('runs a scheduled job every interval until closed', async () => {
    const queue = createInProcessJobQueue();
    const runs: unknown[] = [];
    queue.register('knowledge.sync-due', async (payload) => void runs.push(payload));
    await queue.schedule('knowledge.sync-due', 40, { 来源: 'folder' });
    await new Promise((resolve) => setTimeout(resolve, 230));
    await queue.close();
    const count = runs.length;
    expect(count).toBeGreaterThanOrEqual(3);
    expect(runs[0]).toEqual({ 来源: 'folder' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(runs).toHaveLength(count);
    await expect(queue.schedule('knowledge.sync-due', 40, {})).rejects.toThrow(/closed/);
  });
});
