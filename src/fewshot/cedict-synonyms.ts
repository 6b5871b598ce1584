import { readFileSync } from 'node:fs';
import { stemmer } from 'stemmer';

/**
 * CC-CEDICT synonym classes (data/cedict-synonyms.txt, CC BY-SA 4.0, derived by
 * training/build-cedict-synonyms.ts): Chinese words that share an English gloss (早餐 / 早饭 / 早点
 * are "breakfast"), and English words to the same classes.
 */
interface SynonymTable {
  /** Simplified word → `s:<gloss>` for each gloss it shares with another word (its synonym classes). */
  classesOf: Map<string, string[]>;
  /** Porter stem of a one-word gloss → what an English word adds: `s:` classes, or `w:` its one Chinese word. */
  english: Map<string, string[]>;
}

let synonymTable: SynonymTable | undefined;

/** The table, parsed once per process on first use (about 0.5 MB). */
function synonyms(): SynonymTable {
  if (!synonymTable) {
    const classesOf = new Map<string, string[]>();
    const english = new Map<string, string[]>();
    const text = readFileSync(new URL('./data/cedict-synonyms.txt', import.meta.url), 'utf8');
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) continue;
      const [gloss, list] = line.split('\t');
      if (!gloss || !list) continue;
      const words = list.trim().split(' ');
      const shared = words.length > 1;
      if (shared)
        for (const word of words) {
          const classes = classesOf.get(word);
          if (classes) classes.push(`s:${gloss}`);
          else classesOf.set(word, [`s:${gloss}`]);
        }
      if (gloss.includes(' ') || gloss.includes('-')) continue;
      const stem = stemmer(gloss);
      const features = english.get(stem) ?? [];
      features.push(shared ? `s:${gloss}` : `w:${words[0]}`);
      english.set(stem, features);
    }
    synonymTable = { classesOf, english };
  }
  return synonymTable;
}

/**
 * What one token adds as synonym evidence: for a Simplified Chinese word, `s:<gloss>` for each
 * class it shares with another word; for a Porter-stemmed English word, the class of its gloss
 * (`s:<gloss>`) or, when one Chinese word has that gloss, that word (`w:退款` for "refund").
 */
export function synonymFeaturesOf(token: string): readonly string[] {
  const table = synonyms();
  const classes = table.classesOf.get(token);
  if (classes) return classes;
  if (/^[a-z]+$/.test(token)) return table.english.get(token) ?? [];
  return [];
}
