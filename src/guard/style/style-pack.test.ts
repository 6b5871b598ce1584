import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPack } from '../../packs/index.js';
import { isFarewell } from '../../engine/style-guard.js';

const folders: string[] = [];
function pack(style: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'kefu-style-'));
  folders.push(folder);
  writeFileSync(path.join(folder, 'tenant.yaml'), 'slug: style-test\nname: 风格测试\n');
  writeFileSync(path.join(folder, 'style.yaml'), style);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
const errors = (folder: string) => loadPack(folder).problems.filter((problem) => problem.severity === 'error');

describe('style.yaml validation', () => {
  it('loads the demo packs’ guides, old fields and new', () => {
    for (const slug of ['shop-zh', 'bank-zh']) {
      const loaded = loadPack(path.resolve('examples/packs', slug));
      expect(loaded.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
      expect(loaded.pack?.style).toMatchObject({ emoji: { policy: 'none' }, address: { zh: '您' } });
    }
  });

  it('still loads a guide in the original format', () => {
    expect(errors(pack('tone: 亲切\nforbidden: [亲亲]\nreplacements: { 亲亲: 您 }\n'))).toEqual([]);
  });

  it('names the file and line of a wrong value', () => {
    const found = errors(pack('tone: 亲切\nforbidden: []\nemoji:\n  policy: sometimes\n'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'style.yaml', line: 4 });
    expect(found[0]!.message).toMatch(/emoji\.policy/);
  });

  it('names the line of an invalid regular expression and of a phrase with neither phrase nor pattern', () => {
    const found = errors(
      pack('phrases:\n  - phrase: 没办法\n  - pattern: "(unclosed"\n  - replacement: 您\ncompetitors:\n  - 京东\n'),
    );
    expect(found.map((problem) => problem.line).sort()).toEqual([3, 4]);
    expect(found.find((problem) => problem.line === 3)!.message).toMatch(/regular expression/);
  });

  it('names the line of a misspelt field inside a section', () => {
    const found = errors(pack('greeting:\n  accept: [您好]\n  txt: { zh: 您好 }\n'));
    // The line of the section's content, where the misspelt key sits.
    expect(found[0]).toMatchObject({ file: 'style.yaml', line: 2 });
    expect(found[0]!.message).toMatch(/txt/);
  });

  it('reports broken YAML with its line', () => {
    const found = errors(pack('forbidden:\n  - 亲亲\n replacements: [\n'));
    expect(found[0]?.file).toBe('style.yaml');
    expect(found[0]?.line).toBeGreaterThan(1);
  });
});

describe('closing messages', () => {
  it('knows a customer saying goodbye, in Simplified, Traditional and English', () => {
    for (const text of ['好的谢谢，拜拜', '好的，明白了谢谢', 'thanks, bye', '謝謝，再見'])
      expect(isFarewell(text), text).toBe(true);
    for (const text of [
      '谢谢你们，但是我的快递还没到怎么办？',
      '再见面的时候能退吗',
      'thanks for nothing, where is my parcel?',
    ])
      expect(isFarewell(text), text).toBe(false);
  });
});
