import { describe, expect, it } from 'vitest';
import { isKefuError } from '../errors/index.js';
import { resolveHandoffSettings } from './handoff-settings.js';

describe('resolveHandoffSettings', () => {
  it('refuses an invalid section with the field path instead of falling back to one default queue', () => {
    let caught: unknown;
    try {
      resolveHandoffSettings({
        default_queue: '售后',
        queues: [
          { name: '售后', skills: ['退換貨'], assignment: '輪流' },
          { name: '投诉', sla: { first_response_seconds: -5 } },
        ],
      });
    } catch (error) {
      caught = error;
    }
    expect(isKefuError(caught)).toBe(true);
    const error = caught as Error & { code: string; details: { problems: Array<{ path: string }> } };
    expect(error.code).toBe('CS_CONFIG_INVALID');
    expect(error.details.problems.map((problem) => problem.path).sort()).toEqual([
      'handoff.queues.0.assignment',
      'handoff.queues.1.sla.first_response_seconds',
    ]);
    expect(error.message).toContain('handoff.queues.0.assignment: ');
  });

  it('still gives one queue for everyone when nothing is set, named after default_queue when only that is', () => {
    expect(resolveHandoffSettings(undefined).queues.map((queue) => queue.name)).toEqual(['通用']);
    expect(resolveHandoffSettings({ default_queue: '客服中心' })).toMatchObject({
      defaultQueue: '客服中心',
      queues: [{ name: '客服中心', assignment: 'least_busy' }],
    });
  });
});
