import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as OpenCC from 'opencc-js';
import type { ConverterFunction } from 'opencc-js/core';
import { describe, expect, it } from 'vitest';
import { toTraditionalChinese } from './script.js';

/** Every line of Chinese text in the demo packs and the agent-facing strings of the engine. */
function corpus(): string[] {
  const files: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const file = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(csv|md|ya?ml|txt|json)$/.test(entry.name)) files.push(file);
    }
  };
  walk(path.resolve('examples/packs'));
  files.push(path.resolve('src/engine/locales.ts'));
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n')).filter((line) => /\p{Script=Han}/u.test(line));
}

describe('Simplified → Traditional with shared tries', () => {
  it('writes exactly what opencc-js’s own Taiwan (twp) and Hong Kong converters write', () => {
    const lines = [
      ...corpus(),
      '七天无理由退货怎么申请？快递一直没到，鼠标和内存条的发票在哪里下载',
      '这个软件的服务器、数据库、打印机都坏了，后台程序也没反应',
      '头发、面条、里面、干净、干部、一只猫、台风、后来、皇后',
      '㊀ 兼容字符 﨑',
    ];
    expect(lines.length).toBeGreaterThan(500);
    const taiwan = OpenCC.Converter({ from: 'cn', to: 'twp' }) as ConverterFunction;
    const hongKong = OpenCC.Converter({ from: 'cn', to: 'hk' }) as ConverterFunction;
    const differences = lines.flatMap((line) => [
      ...(toTraditionalChinese(line, 'tw') === taiwan(line) ? [] : [`tw: ${line}`]),
      ...(toTraditionalChinese(line, 'hk') === hongKong(line) ? [] : [`hk: ${line}`]),
    ]);
    expect(differences).toEqual([]);
    expect(toTraditionalChinese('软件和鼠标', 'tw')).toBe('軟體和滑鼠');
    expect(toTraditionalChinese('软件和鼠标', 'hk')).toBe('軟件和鼠標');
  }, 60_000);
});
