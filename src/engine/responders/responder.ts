import type { PlaybookRunState } from '../../playbooks/index.js';
import type { AgentText } from '../locales.js';
import type { TurnContext } from '../turn-context.js';
import type { Citation, ClarifyOption, LlmTrace, PlaybookTrace, Route, Tier, TurnDecision } from '../turn-types.js';

/**
 * What one responder offers to do with the turn. The first proposal wins; the style guard and
 * the route decision come after it, so a proposal is the reply before either of them.
 */
export interface Proposal {
  route: Route;
  tier: Tier;
  /** The reply text (for a hand-over, the tenant's hand-over message). */
  text: string;
  /** Why, in order, in English for the trace (engineers read it); the last one routes the hand-over. */
  reasons: string[];
  /**
   * Why a person takes over or approves the draft, as agents read it (src/engine/locales.ts):
   * a key and its values, or a text already written in the tenant's locale.
   */
  agentReason?: AgentText | string;
  quickReplies?: string[];
  citations?: Citation[];
  /** The intent the turn is about, when it is not the understood one (a resumed playbook's). */
  intent?: string | null;
  /** The turn's confidence, when it is not the understanding's (an LLM answer's retrieval score). */
  confidence?: number;
  /** The options of a clarifying question, kept so the next message can pick one. */
  clarify?: ClarifyOption[];
  /** A playbook run: where it stands now, the slots to remember, and its steps for the trace. */
  playbook?: { next: PlaybookRunState | null; remember: Record<string, string | number>; trace: PlaybookTrace };
  events?: TurnDecision['events'];
  handoffNote?: string | null;
  /** A hand-over that says in its own words what happens next (the self-harm reply) keeps its text. */
  ownReply?: boolean;
  llm?: LlmTrace;
}

/**
 * One small policy of the turn: it proposes a reply, or returns null to let the next responder
 * try. Responders are asked in order and the first proposal wins.
 * @example
 * const greeting: Responder = {
 *   name: 'greeting',
 *   propose: (context) => (context.intent === 'greeting' ? answer('您好！', 'greeted') : null),
 * };
 */
export interface Responder {
  readonly name: string;
  propose(context: TurnContext): Proposal | null | Promise<Proposal | null>;
}

/** A hand-over to a person with the tenant's hand-over message. */
export function handOver(context: TurnContext, reason: string, agentReason?: AgentText | string): Proposal {
  return {
    route: 'human',
    tier: 'human',
    text: context.runtime.messages.handoff,
    reasons: [reason],
    ...(agentReason !== undefined ? { agentReason } : {}),
  };
}

/** A light-tier answer the bot gives itself (or drafts, with route `assist`). */
export function answer(text: string, reason: string, extra: Partial<Proposal> = {}): Proposal {
  return { route: 'auto', tier: 'light', text, reasons: [reason], ...extra };
}
