import type { ChatModel, TokenUsage } from '../llm/index.js';
import { toSimplifiedChinese } from '../text/index.js';
import {
  checkStyle,
  compileStyleGuide,
  describeRules,
  styleText,
  type MessageKind,
  type StyleCheck,
  type StyleContext,
  type StyleViolation,
} from '../guard/style/index.js';
import type { StyleGuide } from '../packs/pack-schema.js';
import type { Proposal } from './responders/responder.js';
import type { TenantRuntime } from './tenant-runtime.js';
import type { Route, TurnInput, TurnServices } from './turn-types.js';

export interface GuardOutcome {
  text: string;
  replaced: string[];
  /** Violations the deterministic fixes cannot mend: the reply must not go out as is. */
  violations: string[];
  check: StyleCheck;
}

/**
 * Applies a tenant's brand style guide to an outgoing text: the deterministic fixes, and what
 * is still wrong after them. Kept for callers of the first version (src/handoff/customer-style.ts).
 */
export function applyStyleGuide(
  text: string,
  style: StyleGuide | null,
  context: StyleContext = { kind: 'agent' },
): GuardOutcome {
  const check = checkStyle(text, compileStyleGuide(style), context);
  return {
    text: check.fixed,
    replaced: check.violations.filter((violation) => violation.fix !== null).map((violation) => violation.match),
    violations: check.remaining.map((violation) => violation.match || violation.rule),
    check,
  };
}

/**
 * What the guard did with a reply: sent as written, fixed, rewritten by the LLM, kept as a draft
 * for a person, withheld (a person answers), or blocked by a compliance rule.
 */
export type GuardOutcomeKind = 'passed' | 'fixed' | 'rewritten' | 'draft' | 'withheld' | 'blocked';

export interface GuardTrace {
  replaced: string[];
  violations: string[];
  outcome: GuardOutcomeKind;
  /** The rules broken (before any fix), by name. */
  rules: string[];
  kind: MessageKind;
}

export interface GuardedProposal {
  text: string;
  route: Route;
  /** Reasons for the trace, in words an agent reads (the tenant's locale). */
  reasons: string[];
  trace: GuardTrace;
  /** Tokens the rewrite spent, to add to the turn's LLM usage. */
  rewriteUsage: TokenUsage | null;
}

const GOODBYE = /拜拜|再见(?!面)|再會(?!面)|再会(?!面)|\bbye\b|goodbye|\bsee you\b/iu;
const THANKS_ONLY =
  /^(?:(?:好的?|嗯+|ok|okay|明白了?|知道了|了解了?|收到|行)[，,\s]*)*(?:谢谢|謝謝|多谢|多謝|感谢|感謝|thanks|thank you)(?:[^，,]{0,6})$/iu;
const NOTHING_ELSE = /^(?:没有了|沒有了|没别的了|没其他问题了|就这些|就這些|先这样|先這樣|that's all|nothing else)/iu;

/** Whether a customer message closes the conversation ("好的谢谢，拜拜", "thanks, bye"): the reply then signs off. */
export function isFarewell(customerText: string): boolean {
  const text = toSimplifiedChinese(customerText.trim()).replace(/[\s。.!！~～]+$/u, '');
  if (text.length === 0 || text.length > 24 || /[?？]|但|可是|\bbut\b/iu.test(text)) return false;
  return GOODBYE.test(text) || THANKS_ONLY.test(text) || NOTHING_ELSE.test(text);
}

function explain(violations: readonly StyleViolation[], locale: string): { rules: string; matches: string } {
  const matches = [...new Set(violations.map((violation) => violation.match).filter(Boolean))];
  return {
    rules: describeRules(violations, locale),
    matches: matches.join(locale.startsWith('en') ? ', ' : '、') || '—',
  };
}

function kindOf(proposal: Proposal): MessageKind {
  if (proposal.tier === 'llm') return 'llm';
  if (proposal.tier === 'playbook') return 'playbook';
  if (proposal.tier === 'fallback' || proposal.tier === 'human') return 'template';
  return 'bot';
}

/**
 * The guard stage of a turn: checks the proposed reply against the tenant's style guide and its
 * domain's compliance rules. Deterministic fixes are applied; an LLM answer that still fails is
 * rewritten once through the LLM and checked again; a reply that still fails is not sent but
 * becomes a draft for a person; a compliance breach is blocked and handed over.
 */
export async function guardProposal(
  runtime: TenantRuntime,
  proposal: Proposal,
  input: TurnInput,
  services: TurnServices,
): Promise<GuardedProposal> {
  const kind = kindOf(proposal);
  const guide = compileStyleGuide(runtime.style);
  const locale = runtime.locale;
  // Opening and sign-off belong to answers; a hand-over says in the tenant's words what happens next.
  const answering = proposal.route !== 'human';
  const context: StyleContext = {
    kind,
    domain: runtime.domain,
    firstReply: answering && (input.state.turns ?? 0) === 0,
    closing: answering && isFarewell(input.text),
    verified: services.contact.verified === true || services.contact.verified === 'true',
    readerLocale: locale,
  };
  const trace = (check: StyleCheck, outcome: GuardOutcomeKind): GuardTrace => ({
    replaced: check.violations.filter((violation) => violation.fix !== null).map((violation) => violation.match),
    violations: check.remaining.map((violation) => violation.match || violation.rule),
    outcome,
    rules: [...new Set(check.violations.map((violation) => violation.rule))],
    kind,
  });
  const check = checkStyle(proposal.text, guide, context);
  const result = (
    text: string,
    route: Route,
    outcome: GuardOutcomeKind,
    reasons: string[] = [],
    rewriteUsage: TokenUsage | null = null,
    traced: StyleCheck = check,
  ): GuardedProposal => ({ text, route, reasons, trace: trace(traced, outcome), rewriteUsage });

  if (check.passed) return result(proposal.text, proposal.route, 'passed');
  if (check.blocked) {
    const reasons = check.violations.filter((violation) => violation.compliance).map((violation) => violation.message);
    return result(check.fixed, 'human', 'blocked', [
      styleText(locale, 'blocked', { reasons: [...new Set(reasons)].join('; ') }),
    ]);
  }
  if (check.remaining.length === 0) return result(check.fixed, proposal.route, 'fixed');
  // A reply that hands over already says so in the tenant's words: fix what can be fixed, no more.
  if (proposal.route === 'human') return result(check.fixed, proposal.route, 'fixed');

  if (kind === 'llm' && services.llm) {
    const rewrite = await rewriteOnce(
      services.llm.model,
      runtime,
      check.fixed,
      check.remaining,
      services.llm.answerTimeoutMs,
    );
    if (rewrite) {
      const again = checkStyle(rewrite.text, guide, context);
      if (!again.blocked && again.remaining.length === 0)
        return result(again.fixed, proposal.route, 'rewritten', [styleText(locale, 'rewritten')], rewrite.usage);
      return result(
        check.fixed,
        'assist',
        'draft',
        [
          styleText(
            locale,
            'draftForPerson',
            explain(again.remaining.length > 0 ? again.remaining : check.remaining, locale),
          ),
        ],
        rewrite.usage,
      );
    }
  }
  // The tenant's own text (an FAQ answer, a template, a playbook step) that breaks its own guide:
  // a person answers, and the pack needs fixing.
  if (proposal.route === 'assist')
    return result(check.fixed, 'assist', 'draft', [
      styleText(locale, 'draftForPerson', explain(check.remaining, locale)),
    ]);
  return result(check.fixed, 'human', 'withheld', [styleText(locale, 'withheld', explain(check.remaining, locale))]);
}

/** One rewrite through the LLM: the reply, what is wrong with it, the brand's tone and examples. */
async function rewriteOnce(
  model: ChatModel,
  runtime: TenantRuntime,
  text: string,
  violations: readonly StyleViolation[],
  timeoutMs: number,
): Promise<{ text: string; usage: TokenUsage } | null> {
  const problems = violations.map((violation) => `- ${violation.message}: ${violation.suggestion}`);
  const examples = (runtime.style?.exemplary_replies ?? []).slice(0, 3).map((example) => `- ${example}`);
  const system = [
    `You rewrite a customer-service reply of ${runtime.name} so that it follows the brand's style guide.`,
    'Keep every fact, number, date, order number and citation marker such as [1] exactly as they are.',
    'Fix only what is listed. Answer with the rewritten reply only, in the language of the reply.',
    runtime.style?.tone ? `Tone: ${runtime.style.tone}` : '',
    examples.length > 0 ? `Replies in the brand's voice:\n${examples.join('\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  try {
    const answer = await model.generate({
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: `Reply:\n${text}\n\nWhat is wrong:\n${problems.join('\n')}` },
      ],
      temperature: 0,
      timeoutMs,
    });
    const rewritten = answer.text.trim();
    return rewritten.length > 0 ? { text: rewritten, usage: answer.usage } : null;
  } catch {
    // A failed rewrite is a reply that still fails: it becomes a draft.
    return null;
  }
}
