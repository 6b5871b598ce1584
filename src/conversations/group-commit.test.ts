import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('writes what is submitted in the same moment together, and what comes during a write in the next one', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const group = new GroupCommit<string, string>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await held;
      return items.map((item) => ({ status: 'fulfilled', value: `写入:${item}` }));
    });
    const first = ['运费', '運費', 'shipping'].map((item) => group.submit(item));
    await new Promise((resolve) => setImmediate(resolve));
    const second = ['发票', 'invoice'].map((item) => group.submit(item));
    release();
    expect(await Promise.all([...first, ...second])).toEqual([
      '写入:运费',
      '写入:運費',
      '写入:shipping',
      '写入:发票',
      '写入:invoice',
    ]);
    expect(batches).toEqual([
      ['运费', '運費', 'shipping'],
      ['发票', 'invoice'],
    ]);
  });

  it('fails only the item whose write failed, and a failed batch only its own items', async () => {
    const group = new GroupCommit<string, string>(async (items) => {
      if (items.includes('整批失败')) throw new Error('the transaction failed');
      return items.map((item) =>
        item === 'bad'
          ? { status: 'rejected', reason: new Error(`cannot store ${item}`) }
          : { status: 'fulfilled', value: item },
      );
    });
    const results = await Promise.allSettled([group.submit('good'), group.submit('bad')]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    await expect(group.submit('整批失败')).rejects.toThrow('the transaction failed');
    await expect(group.submit('after')).resolves.toBe('after');
  });
});
