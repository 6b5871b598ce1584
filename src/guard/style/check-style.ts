import { chineseScriptOf, detectLanguage, toTraditionalChinese } from '../../text/index.js';
import type { CompiledStyleGuide } from './compile-style-guide.js';
import { clauseAround, COMPLIANCE_RULES, isNegated } from './compliance-rules.js';
import { foldText, originalSpan, type FoldedText } from './fold-text.js';
import { ruleNames, styleText } from './locales.js';
import type { MessageKind } from './style-guide-schema.js';

export type StyleRuleName =
  | 'forbidden'
  | 'address'
  | 'competitor'
  | 'greeting'
  | 'closing'
  | 'emoji'
  | 'length'
  | 'promised_returns'
  | 'account_data'
  | 'diagnosis'
  | 'custom';

export const STYLE_RULE_NAMES: readonly StyleRuleName[] = [
  'forbidden',
  'address',
  'competitor',
  'greeting',
  'closing',
  'emoji',
  'length',
  'promised_returns',
  'account_data',
  'diagnosis',
  'custom',
];

/** Rules whose breach blocks the message: no rewording makes it safe to send unseen. */
export const COMPLIANCE_RULE_NAMES: ReadonlySet<StyleRuleName> = new Set([
  'promised_returns',
  'account_data',
  'diagnosis',
  'custom',
]);

export type StyleFix =
  | { kind: 'replace'; start: number; end: number; text: string }
  | { kind: 'prepend'; text: string }
  | { kind: 'append'; text: string };

/** One way a message breaks the guide, located in the text as written, with what an agent reads. */
export interface StyleViolation {
  rule: StyleRuleName;
  compliance: boolean;
  /** The offending text ('' for rules about the whole message). */
  match: string;
  start: number;
  end: number;
  /** The deterministic fix, when there is one. */
  fix: StyleFix | null;
  /** What is wrong, in the reader's language. */
  message: string;
  /** What to do about it, in the reader's language. */
  suggestion: string;
  /** A whole suggested text when the fix is not mechanical (the reply without the competitor's sentence). */
  suggestedText?: string;
}

/** What the checker knows about a message besides its text. */
export interface StyleContext {
  kind?: MessageKind;
  /** The tenant's domain: finance and medical add their compliance rules. */
  domain?: string;
  /** The first reply of the conversation: the greeting rule applies. */
  firstReply?: boolean;
  /** A closing message: the sign-off rule applies. */
  closing?: boolean;
  /** Whether the customer's identity has been verified (account data may be shown). */
  verified?: boolean;
  /** The locale of the person who reads the violations (agent, admin); default zh-CN. */
  readerLocale?: string;
}

export interface StyleCheck {
  /** The message broke nothing: it goes out exactly as written. */
  passed: boolean;
  violations: StyleViolation[];
  /** The text with every deterministic fix applied. */
  fixed: string;
  /** What the fixed text still breaks: must be rewritten, overridden by an agent, or not sent. */
  remaining: StyleViolation[];
  /** A compliance rule broke: the message is blocked. */
  blocked: boolean;
}

const EMOJI =
  /(?:\p{Regional_Indicator}{2}|\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)*|(?<![\w:/])(?:[:;]-?[)(DPp]|\^_?\^)(?![\w)(]))/gu;
// Pictographic by Unicode's table, but ordinary typography in a reply.
const NOT_EMOJI = new Set(['©', '®', '™', '‼', '⁉', '↔', '↕', '▶', '◀', '☑', '✔', '✖']);
const GREETING_WORDS =
  /(?:^|[^a-z])(?:hey|hi|hello|thanks|thank\s+you|cheers|yo|sure|ok|okay|no\s+worries|no\s+problem|alright|morning|night|bye|see\s+ya|see\s+you|sorry)\s*,?\s*$/u;

/**
 * Checks one outgoing message against a tenant's compiled style guide and its domain's compliance
 * rules; returns every violation, the text with the deterministic fixes applied, and what that
 * text still breaks.
 *
 * @example
 * const check = checkStyle('亲亲，你的订单已发货', compileStyleGuide(style), { kind: 'agent' });
 * check.fixed // '您，您的订单已发货' with the shop's guide (亲亲 → 您, 你 → 您)
 */
export function checkStyle(text: string, guide: CompiledStyleGuide, context: StyleContext = {}): StyleCheck {
  const violations = findViolations(text, guide, context);
  if (violations.length === 0) return { passed: true, violations, fixed: text, remaining: [], blocked: false };
  const fixed = applyFixes(text, violations);
  const remaining = fixed === text ? violations : findViolations(fixed, guide, context);
  return {
    passed: false,
    violations,
    fixed,
    remaining,
    blocked: violations.some((violation) => violation.compliance),
  };
}

/** The violations' rules as a reader sees them: 禁用语、称呼 / banned phrase, form of address. */
export function describeRules(violations: readonly StyleViolation[], locale: string | undefined): string {
  const names = [...new Set(violations.map((violation) => ruleNames(locale, violation.rule)))];
  return names.join(locale?.startsWith('en') ? ', ' : '、');
}

/** Applies the deterministic fixes; of two that overlap, the one that starts first wins. */
export function applyFixes(text: string, violations: readonly StyleViolation[]): string {
  const spans = violations
    .map((violation) => violation.fix)
    .filter((fix): fix is Extract<StyleFix, { kind: 'replace' }> => fix?.kind === 'replace')
    .sort((a, b) => a.start - b.start || b.end - a.end);
  // Left to right, in pieces (linear in the text however many fixes), skipping any fix that overlaps one applied.
  const pieces: string[] = [];
  let cursor = 0;
  for (const fix of spans) {
    if (fix.start < cursor) continue;
    pieces.push(text.slice(cursor, fix.start), fix.text);
    cursor = fix.end;
  }
  pieces.push(text.slice(cursor));
  let result = pieces.join('');
  const prepend = violations.find((violation) => violation.fix?.kind === 'prepend')?.fix;
  const append = violations.find((violation) => violation.fix?.kind === 'append')?.fix;
  if (prepend) {
    const rest = result.replace(/^\s+/u, '');
    // "Hello! order shipped" → "Hello! Order shipped".
    result = prepend.text + (/[.!?]\s*$/u.test(prepend.text) ? rest.charAt(0).toUpperCase() + rest.slice(1) : rest);
  }
  if (append) {
    const head = result.replace(/\s+$/u, '');
    const chinese = /\p{Script=Han}/u.test(append.text);
    // End the last sentence before the sign-off: 订单已签收 → 订单已签收。感谢…
    const stop = /[\p{L}\p{N}]$/u.test(head) ? (chinese ? '。' : '.') : '';
    result = head + stop + append.text;
  }
  // Removing a phrase may leave doubled spaces or a space before punctuation.
  return result
    .replace(/[ \t]{2,}/gu, ' ')
    .replace(/ +([,.!?;:，。！？；：])/gu, '$1')
    .replace(/([，,])\1+/gu, '$1')
    .trim();
}

interface Reader {
  original: string;
  folded: FoldedText;
  traditional: boolean;
  chinese: boolean;
  locale: string | undefined;
  add: (violation: Omit<StyleViolation, 'compliance' | 'match'> & { match?: string }) => void;
  span: (start: number, end: number) => { start: number; end: number };
  inside: (start: number, end: number, phrases: readonly string[]) => boolean;
}

function findViolations(text: string, guide: CompiledStyleGuide, context: StyleContext): StyleViolation[] {
  if (text.trim().length === 0) return [];
  const folded = foldText(text);
  const locale = context.readerLocale;
  const found: StyleViolation[] = [];
  const reader: Reader = {
    original: text,
    folded,
    traditional: chineseScriptOf(text) === 'traditional',
    chinese: /\p{Script=Han}/u.test(text),
    locale,
    add: (violation) => {
      const match = violation.match ?? text.slice(violation.start, violation.end);
      found.push({ ...violation, match, compliance: COMPLIANCE_RULE_NAMES.has(violation.rule) });
    },
    span: (start, end) => originalSpan(folded, start, end),
    inside: (start, end, phrases) =>
      phrases.some((phrase) => {
        for (let at = folded.text.indexOf(phrase); at >= 0; at = folded.text.indexOf(phrase, at + 1))
          if (at <= start && at + phrase.length >= end) return true;
        return false;
      }),
  };
  const kind = context.kind ?? 'bot';
  checkPhrases(reader, guide);
  if (guide.addressZh && reader.chinese) checkAddress(reader);
  if (guide.familiar) checkFamiliar(reader, guide.familiar);
  checkCompetitors(reader, guide);
  checkEmoji(reader, guide);
  checkLength(reader, guide);
  if (context.firstReply && guide.greeting?.kinds.has(kind)) checkGreeting(reader, guide.greeting);
  if (context.closing && guide.closing?.kinds.has(kind)) checkClosing(reader, guide.closing);
  checkCompliance(reader, guide, context, kind);
  return dedupe(found);
}

/** One violation per stretch of text and rule: the one that starts first (then the longer) wins, as a reader sees it. */
function dedupe(violations: StyleViolation[]): StyleViolation[] {
  const kept: StyleViolation[] = [];
  // Sorted by start, so a violation can only overlap the last one kept of its rule.
  const lastEnd = new Map<StyleRuleName, number>();
  const ordered = [...violations].sort((a, b) => a.start - b.start || b.end - a.end);
  for (const violation of ordered) {
    const spans = violation.end > violation.start;
    if (spans && violation.start < (lastEnd.get(violation.rule) ?? -1)) continue;
    if (spans) lastEnd.set(violation.rule, violation.end);
    kept.push(violation);
  }
  return kept;
}

function localised(reader: Reader, text: string): string {
  return reader.traditional ? toTraditionalChinese(text) : text;
}

function checkPhrases(reader: Reader, guide: CompiledStyleGuide): void {
  const quoted = quotedRanges(reader.folded.text);
  for (const phrase of guide.phrases) {
    for (const match of reader.folded.text.matchAll(phrase.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (end === start || reader.inside(start, end, phrase.except)) continue;
      // Quoted words are someone else's (the customer's message, a page's label), not the brand's voice.
      if (quoted.some(([open, close]) => start > open && end <= close)) continue;
      const span = reader.span(start, end);
      const replacement = phrase.replacement === null ? null : localised(reader, phrase.replacement);
      reader.add({
        rule: 'forbidden',
        ...span,
        fix: replacement === null ? null : { kind: 'replace', ...span, text: replacement },
        message: styleText(reader.locale, 'forbidden', { match: reader.original.slice(span.start, span.end) }),
        suggestion:
          replacement === null
            ? styleText(reader.locale, 'forbiddenNoFix')
            : styleText(reader.locale, 'forbiddenFix', { replacement }),
      });
    }
  }
}

const QUOTES: ReadonlyArray<[string, string]> = [
  ['「', '」'],
  ['『', '』'],
  ['“', '”'],
  ['"', '"'],
  ['《', '》'],
  ['‘', '’'],
];

function quotedRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const [open, close] of QUOTES) {
    let from = 0;
    for (;;) {
      const start = text.indexOf(open, from);
      if (start < 0) break;
      const end = text.indexOf(close, start + 1);
      if (end < 0) break;
      ranges.push([start, end]);
      from = end + 1;
    }
  }
  return ranges;
}

/** 你 → 您 where it addresses the customer: not 你们 (no 您们), not in quotes, 迷你 or 你我. */
function checkAddress(reader: Reader): void {
  const text = reader.folded.text;
  const quoted = quotedRanges(text);
  for (let index = text.indexOf('你'); index >= 0; index = text.indexOf('你', index + 1)) {
    const next = text[index + 1] ?? '';
    const previous = text[index - 1] ?? '';
    if (next === '们' || next === '我' || previous === '迷' || text.startsWith('你追我赶', index)) continue;
    if (quoted.some(([start, end]) => index > start && index < end)) continue;
    const span = reader.span(index, index + 1);
    reader.add({
      rule: 'address',
      ...span,
      fix: { kind: 'replace', ...span, text: '您' },
      message: styleText(reader.locale, 'address', { match: reader.original.slice(span.start, span.end) }),
      suggestion: styleText(reader.locale, 'addressFix'),
    });
  }
}

/** Over-familiar English vocatives ("Thanks, buddy!"), not the same word used as a noun ("raw honey"). */
function checkFamiliar(reader: Reader, pattern: RegExp): void {
  const text = reader.folded.text;
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    // A window around the word is all the vocative test needs (and keeps huge messages linear).
    const windowStart = Math.max(0, start - 40);
    const before = text.slice(windowStart, start);
    const after = text.slice(end, end + 40);
    const commaBefore = /,\s*$/u.test(before);
    const sentenceStart = /[.!?。！？\n]\s*$/u.test(before) || (windowStart === 0 && /^\s*$/u.test(before));
    const greeting = GREETING_WORDS.test(before);
    const endsClause = /^\s*(?:[.!?;:)]|$|\p{Extended_Pictographic}|,(?!\s*(?:and|or)\b))/u.test(after);
    let from: number;
    let to: number;
    if ((commaBefore || greeting) && endsClause) {
      from = windowStart + (commaBefore ? before.lastIndexOf(',') : before.replace(/\s+$/u, '').length);
      to = end;
      // "Hey buddy, your order" → "Hey, your order": keep the comma that follows.
    } else if (sentenceStart && /^\s*,/u.test(after)) {
      from = start;
      to = end + (/^\s*,\s*/u.exec(after)?.[0].length ?? 0);
    } else continue;
    const span = reader.span(start, end);
    const cut = reader.span(from, to);
    let replacement = '';
    if (sentenceStart && from === start) {
      // The next word now starts the sentence.
      const nextLetter = reader.original.slice(cut.end, cut.end + 1);
      if (/[a-z]/.test(nextLetter)) {
        cut.end += 1;
        replacement = nextLetter.toUpperCase();
      }
    }
    reader.add({
      rule: 'address',
      ...span,
      fix: { kind: 'replace', start: cut.start, end: cut.end, text: replacement },
      message: styleText(reader.locale, 'familiar', { match: reader.original.slice(span.start, span.end) }),
      suggestion: styleText(reader.locale, 'familiarFix'),
    });
  }
}

function withoutSentence(text: string, start: number, end: number): string {
  let from = 0;
  let to = text.length;
  for (const mark of text.matchAll(/[。！？!?；;\n]|\.(?=\s|$)/gu)) {
    if (mark.index < start) from = mark.index + 1;
    else if (mark.index >= end) {
      to = mark.index + 1;
      break;
    }
  }
  return (text.slice(0, from) + text.slice(to)).replace(/\s{2,}/gu, ' ').trim();
}

function checkCompetitors(reader: Reader, guide: CompiledStyleGuide): void {
  for (const competitor of guide.competitors) {
    for (const match of reader.folded.text.matchAll(competitor.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (reader.inside(start, end, competitor.except)) continue;
      const span = reader.span(start, end);
      // A whole suggested reply is for the console; a huge message gets the advice without it.
      const suggestedText =
        reader.original.length <= 4000 ? withoutSentence(reader.original, span.start, span.end) : '';
      reader.add({
        rule: 'competitor',
        ...span,
        fix: null,
        message: styleText(reader.locale, 'competitor', { match: reader.original.slice(span.start, span.end) }),
        suggestion: styleText(reader.locale, 'competitorFix'),
        ...(suggestedText.length > 0 ? { suggestedText } : {}),
      });
    }
  }
}

function checkEmoji(reader: Reader, guide: CompiledStyleGuide): void {
  const { policy, allowed, max } = guide.emoji;
  if (policy === 'any' && max === null) return;
  let kept = 0;
  for (const match of reader.original.matchAll(EMOJI)) {
    const emoji = match[0];
    if (NOT_EMOJI.has(emoji.replace(/\uFE0F/gu, ''))) continue;
    const start = match.index;
    let end = start + emoji.length;
    const tooMany = max !== null && kept >= max;
    const notAllowed =
      policy === 'none' || (policy === 'allowed' && !allowed.has(emoji) && !allowed.has(emoji.replace(/\uFE0F/gu, '')));
    if (!notAllowed && !tooMany) {
      kept += 1;
      continue;
    }
    // Take one surrounding space with it, so "好的 🙂 马上" becomes "好的 马上".
    let cutStart = start;
    if (reader.original[end] === ' ') end += 1;
    else if (reader.original[start - 1] === ' ') cutStart -= 1;
    reader.add({
      rule: 'emoji',
      start,
      end: start + emoji.length,
      match: emoji,
      fix: { kind: 'replace', start: cutStart, end, text: '' },
      message: notAllowed
        ? styleText(reader.locale, 'emoji', { match: emoji })
        : styleText(reader.locale, 'emojiTooMany', { max: max ?? 0 }),
      suggestion: styleText(reader.locale, 'emojiFix'),
    });
  }
}

function checkLength(reader: Reader, guide: CompiledStyleGuide): void {
  const { maxCharsZh, maxWordsEn } = guide.length;
  const language = detectLanguage(reader.original);
  if ((language === 'zh' || language === 'mixed') && maxCharsZh !== null) {
    const count = [...reader.original.replace(/\s+/gu, '')].length;
    if (count > maxCharsZh)
      reader.add({
        rule: 'length',
        start: 0,
        end: 0,
        match: '',
        fix: null,
        message: styleText(reader.locale, 'length', { count, max: maxCharsZh }),
        suggestion: styleText(reader.locale, 'lengthFix', { max: maxCharsZh }),
      });
  } else if (language === 'en' && maxWordsEn !== null) {
    const count = reader.original.split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
    if (count > maxWordsEn)
      reader.add({
        rule: 'length',
        start: 0,
        end: 0,
        match: '',
        fix: null,
        message: styleText(reader.locale, 'lengthWords', { count, max: maxWordsEn }),
        suggestion: styleText(reader.locale, 'lengthFix', { max: maxWordsEn }),
      });
  }
}

function requiredText(reader: Reader, text: { zh: string | null; en: string | null }): string | null {
  const chosen = reader.chinese ? text.zh : text.en;
  return chosen === null ? null : localised(reader, chosen);
}

function checkGreeting(reader: Reader, greeting: NonNullable<CompiledStyleGuide['greeting']>): void {
  const head = reader.folded.text.replace(/^[\s\p{P}]+/u, '').slice(0, 30);
  if (greeting.accept.some((phrase) => new RegExp(phrase.source, 'u').test(head))) return;
  const text = requiredText(reader, greeting.text);
  const example = text ?? greeting.examples[0];
  reader.add({
    rule: 'greeting',
    start: 0,
    end: 0,
    match: '',
    fix: text === null ? null : { kind: 'prepend', text },
    message: styleText(reader.locale, 'greeting', { example }),
    suggestion: styleText(reader.locale, 'greetingFix', { text: example }),
  });
}

function checkClosing(reader: Reader, closing: NonNullable<CompiledStyleGuide['closing']>): void {
  const tail = reader.folded.text.slice(-80);
  if (closing.accept.some((phrase) => new RegExp(phrase.source, 'u').test(tail))) return;
  const text = requiredText(reader, closing.text);
  const example = text ?? closing.examples[0];
  reader.add({
    rule: 'closing',
    start: 0,
    end: 0,
    match: '',
    fix: text === null ? null : { kind: 'append', text: reader.chinese ? text : ` ${text}` },
    message: styleText(reader.locale, 'closing', { example }),
    suggestion: styleText(reader.locale, 'closingFix', { text: example }),
  });
}

function checkCompliance(reader: Reader, guide: CompiledStyleGuide, context: StyleContext, kind: MessageKind): void {
  const text = reader.folded.text;
  for (const rule of COMPLIANCE_RULES) {
    if (!rule.domains.includes(context.domain ?? '') || guide.compliance.disable.has(rule.name)) continue;
    // Agents verify the customer themselves; the bot knows only what the conversation says.
    if (rule.beforeVerification && (context.verified === true || (kind === 'agent' && context.verified !== false)))
      continue;
    for (const pattern of rule.patterns) {
      for (const match of text.matchAll(pattern)) {
        const start = match.index;
        const end = start + match[0].length;
        if (!rule.beforeVerification && isNegated(text, start)) continue;
        if (rule.unless?.test(clauseAround(text, start, end))) continue;
        const span = reader.span(start, end);
        const shown = reader.original.slice(span.start, span.end);
        reader.add({
          rule: rule.name,
          ...span,
          fix: null,
          message: styleText(
            reader.locale,
            rule.name === 'promised_returns'
              ? 'promisedReturns'
              : rule.name === 'account_data'
                ? 'accountData'
                : 'diagnosis',
            { match: shown },
          ),
          suggestion: styleText(reader.locale, 'complianceFix'),
        });
      }
    }
  }
  for (const custom of guide.compliance.patterns) {
    for (const match of text.matchAll(custom.pattern)) {
      const span = reader.span(match.index, match.index + match[0].length);
      const shown = reader.original.slice(span.start, span.end);
      reader.add({
        rule: 'custom',
        ...span,
        fix: null,
        message: styleText(reader.locale, 'custom', { reason: custom.reason, match: shown }),
        suggestion: styleText(reader.locale, 'complianceFix'),
      });
    }
  }
}
