import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileHandoverSettings } from '../../engine/handover-rules.js';
import { loadPack } from '../../packs/load-pack.js';
import { normalizeText } from '../../text/index.js';

const shop = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/packs/shop-zh');
const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A copy of the shop pack with `extra` appended to its tenant.yaml. */
function packWith(extra: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'kefu-handover-pack-'));
  folders.push(folder);
  cpSync(shop, folder, { recursive: true });
  const file = path.join(folder, 'tenant.yaml');
  writeFileSync(file, `${readFileSync(file, 'utf8').trimEnd()}\n${extra}`);
  return folder;
}

describe("a pack's own hand-over rules (tenant.yaml handover.rules and crisis_lines)", () => {
  it('imports valid rules and crisis lines and compiles them per category', () => {
    const { pack, problems } = loadPack(
      packWith(
        [
          'handover:',
          '  rules:',
          '    - category: refund_demand',
          '      phrases: [团购券过期]',
          '      patterns: ["双倍.{0,4}赔"]',
          '  crisis_lines:',
          '    zh-CN: 本公司关怀热线 400-000-0000',
        ].join('\n'),
      ),
    );
    expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    const settings = pack!.tenant.handover as Parameters<typeof compileHandoverSettings>[0];
    const { config, problems: compileProblems } = compileHandoverSettings(settings, (text) => normalizeText(text).text);
    expect(compileProblems).toEqual([]);
    expect(config.additions.map((addition) => [addition.category, addition.source])).toEqual([
      ['refund_demand', '双倍.{0,4}赔'],
      ['refund_demand', '团购券过期'],
    ]);
    expect(config.crisisLines).toEqual({ 'zh-CN': '本公司关怀热线 400-000-0000' });
  });

  it('rejects an invalid rule at import, naming tenant.yaml and its line', () => {
    const folder = packWith(
      ['handover:', '  rules:', '    - category: refund_demand', '      patterns: ["(unclosed"]'].join('\n'),
    );
    const lines = readFileSync(path.join(folder, 'tenant.yaml'), 'utf8').split('\n');
    const { problems } = loadPack(folder);
    const problem = problems.find((entry) => entry.severity === 'error');
    expect(problem).toMatchObject({ file: 'tenant.yaml', message: expect.stringMatching(/regular expression/) });
    expect(lines[problem!.line! - 1]).toContain('(unclosed');
  });

  it('rejects an unknown category, naming tenant.yaml and its line', () => {
    const folder = packWith(['handover:', '  rules:', '    - category: grumpy', '      phrases: [烦]'].join('\n'));
    const { problems } = loadPack(folder);
    const problem = problems.find((entry) => entry.severity === 'error');
    expect(problem).toMatchObject({ file: 'tenant.yaml', line: expect.any(Number) });
    expect(problem!.message).toMatch(/category/);
  });
});
