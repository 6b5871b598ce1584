import type { StyleGuide } from '../../tenancy/tenant-settings.js';
import { foldPhrase } from './fold-text.js';
import { styleFileSchema, type MessageKind, type StyleFile } from './style-guide-schema.js';

/** A forbidden phrase, ready to match on folded text. */
export interface CompiledPhrase {
  /** As the guide wrote it (shown to agents). */
  label: string;
  pattern: RegExp;
  replacement: string | null;
  except: string[];
}

export interface CompiledRequiredPhrase {
  kinds: ReadonlySet<MessageKind>;
  /** The accepted wordings as patterns on folded text (Latin words whole: "hi" is not in "shipped"). */
  accept: RegExp[];
  examples: string[];
  text: { zh: string | null; en: string | null };
}

/** A tenant's style guide compiled once per runtime: every phrase a regular expression on folded text. */
export interface CompiledStyleGuide {
  phrases: CompiledPhrase[];
  addressZh: boolean;
  familiar: RegExp | null;
  competitors: Array<{ label: string; pattern: RegExp; except: string[] }>;
  greeting: CompiledRequiredPhrase | null;
  closing: CompiledRequiredPhrase | null;
  emoji: { policy: 'none' | 'allowed' | 'any'; allowed: Set<string>; max: number | null };
  length: { maxCharsZh: number | null; maxWordsEn: number | null };
  compliance: { patterns: Array<{ pattern: RegExp; reason: string }>; disable: Set<string> };
  exemplaryReplies: string[];
  /** Problems met while compiling stored settings that no longer validate (the guide is used as far as it reads). */
  problems: string[];
}

/** English forms of address too familiar for a brand talking to a customer. */
export const DEFAULT_FAMILIAR_EN = [
  'buddy',
  'dude',
  'bro',
  'bruh',
  'mate',
  'pal',
  'babe',
  'hun',
  'hon',
  'honey',
  'sweetie',
  'sweetheart',
  'darling',
  'fam',
  'my friend',
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A literal phrase as a pattern on folded text; Latin words only match whole. */
export function phrasePattern(phrase: string): RegExp {
  const folded = foldPhrase(phrase);
  const latinStart = /^[a-z0-9]/.test(folded);
  const latinEnd = /[a-z0-9]$/.test(folded);
  const body = escape(folded).replace(/\s+/g, '\\s+');
  return new RegExp(`${latinStart ? '(?<![a-z0-9])' : ''}${body}${latinEnd ? '(?![a-z0-9])' : ''}`, 'gu');
}

const compiled = new WeakMap<object, CompiledStyleGuide>();

/**
 * Compiles a style guide (as stored in the tenant's settings, or as read from style.yaml). Stored
 * settings are read leniently: a field that no longer validates is left out and named in
 * `problems`, rather than dropping the whole guide.
 */
export function compileStyleGuide(style: StyleGuide | StyleFile | null | undefined): CompiledStyleGuide {
  if (!style) return compileFile(styleFileSchema.parse({}), []);
  const cached = compiled.get(style);
  if (cached) return cached;
  const parsed = styleFileSchema.safeParse(style);
  let result: CompiledStyleGuide;
  if (parsed.success) result = compileFile(parsed.data, []);
  else {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    const broken = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
    const kept = Object.fromEntries(Object.entries(style).filter(([key]) => !broken.has(key)));
    const retry = styleFileSchema.safeParse(kept);
    result = compileFile(retry.success ? retry.data : styleFileSchema.parse({}), problems);
  }
  compiled.set(style, result);
  return result;
}

function compileFile(style: StyleFile, problems: string[]): CompiledStyleGuide {
  const phrases: CompiledPhrase[] = [];
  const seen = new Set<string>();
  const add = (label: string, pattern: RegExp, replacement: string | null, except: string[]) => {
    const key = pattern.source;
    if (seen.has(key)) return;
    seen.add(key);
    // The replacement is fine by definition, even when it contains the phrase (您好 → 您好呀).
    const allowed = replacement === null ? except : [...except, replacement];
    phrases.push({
      label,
      pattern,
      replacement,
      except: allowed.map(foldPhrase).filter((phrase) => phrase.length > 0),
    });
  };
  for (const phrase of style.phrases) {
    if (phrase.phrase !== undefined)
      add(phrase.phrase, phrasePattern(phrase.phrase), phrase.replacement ?? null, phrase.except);
    else if (phrase.pattern !== undefined)
      add(phrase.pattern, new RegExp(phrase.pattern, 'giu'), phrase.replacement ?? null, phrase.except);
  }
  // The original format: forbidden phrases, and replacements that were applied before the check.
  for (const phrase of style.forbidden) add(phrase, phrasePattern(phrase), style.replacements[phrase] ?? null, []);
  for (const [phrase, replacement] of Object.entries(style.replacements))
    if (phrase.length > 0) add(phrase, phrasePattern(phrase), replacement, []);
  // Longer phrases first: 亲亲 is reported as itself, not as the 亲 it contains.
  phrases.sort((a, b) => b.label.length - a.label.length);

  const familiarWords = style.address?.en_familiar ?? DEFAULT_FAMILIAR_EN;
  const familiar =
    familiarWords.length === 0
      ? null
      : new RegExp(
          `(?<![a-z0-9])(?:${familiarWords
            .map((word) => escape(foldPhrase(word)).replace(/\s+/g, '\\s+'))
            .sort((a, b) => b.length - a.length)
            .join('|')})(?![a-z0-9])`,
          'gu',
        );

  const competitors = style.competitors.map((entry) => {
    const names = typeof entry === 'string' ? [entry] : [entry.name, ...entry.aliases];
    const except = typeof entry === 'string' ? [] : entry.except;
    const sources = names.map((name) => phrasePattern(name).source).sort((a, b) => b.length - a.length);
    return {
      label: typeof entry === 'string' ? entry : entry.name,
      pattern: new RegExp(sources.join('|'), 'gu'),
      except: except.map(foldPhrase),
    };
  });

  const required = (value: StyleFile['greeting']): CompiledRequiredPhrase | null =>
    value && value.required
      ? {
          kinds: new Set(value.kinds),
          accept: value.accept.map(phrasePattern),
          examples: value.accept,
          text: { zh: value.text.zh ?? null, en: value.text.en ?? null },
        }
      : null;

  return {
    phrases,
    addressZh: (style.address?.zh ?? '您') === '您',
    familiar,
    competitors,
    greeting: required(style.greeting),
    closing: required(style.closing),
    emoji: {
      policy: style.emoji?.policy ?? 'any',
      allowed: new Set(style.emoji?.allowed ?? []),
      max: style.emoji?.max ?? null,
    },
    length: { maxCharsZh: style.length?.max_chars_zh ?? null, maxWordsEn: style.length?.max_words_en ?? null },
    compliance: {
      patterns: (style.compliance?.patterns ?? []).map((rule) => ({
        pattern: new RegExp(rule.pattern, 'giu'),
        reason: rule.reason,
      })),
      disable: new Set(style.compliance?.disable ?? []),
    },
    exemplaryReplies: style.exemplary_replies,
    problems,
  };
}
