import type { Entity } from '../nlu/index.js';
import type { Connector, PlaybookOutcome, PlaybookRunState } from '../playbooks/index.js';
import type { MessagePart } from '../store/schema.js';
import type { Language } from '../text/index.js';
import type { Tool } from '../tools/index.js';
import type { ChatMessage, ChatModel, TokenUsage } from '../llm/index.js';
import type { EmbeddingTrace } from '../knowledge/embedding-evidence.js';
import type { LlmPickTrace } from './llm-pick.js';
import type { TurnEmbeddings } from './semantic-evidence.js';
import type { Understanding } from './understander.js';

export type Route = 'auto' | 'assist' | 'human';
/** Which tier produced the reply: light (FAQ/intent answer), playbook, a fallback decline, or a person. */
export type Tier = 'light' | 'playbook' | 'llm' | 'fallback' | 'human';

/** One option of a clarifying question: what the customer sees and the intent it stands for. */
export interface ClarifyOption {
  label: string;
  intent: string;
}

/** Dialogue state kept on the conversation between turns. */
export interface DialogueState {
  lastIntent?: string | null;
  turns?: number;
  /** A playbook waiting for the customer (an ask) or offering quick replies. */
  playbook?: PlaybookRunState | null;
  /** Slots remembered across playbooks (e.g. the order last referenced). */
  memory?: Record<string, string | number>;
  /** The options of a clarifying question kefu just asked ("您是想问 A 还是 B？"). */
  clarify?: ClarifyOption[] | null;
}

/** What the pipeline may call out to; the conversation service supplies it per turn. */
export interface TurnServices {
  connector: Connector;
  tools?: ReadonlyMap<string, Tool>;
  /** The contact's profile, as playbooks read it (`contact.phone`). */
  contact: Record<string, unknown>;
  now: Date;
  /** Overrides the date playbooks see as "today" (demo data is written for a fixed day). */
  today?: string;
  /** The LLM tier, when one is configured; without it complex turns go to a person. */
  llm?: {
    model: ChatModel;
    answerTimeoutMs: number;
    history: ChatMessage[];
    /** Receives the answer token by token while it is generated (provisional until the turn ends). */
    onDelta?: (delta: string) => void;
  };
  /** The tenant's embeddings endpoint, when one is configured: vectors as evidence beside the lexical tier. */
  embeddings?: TurnEmbeddings;
}

export interface TurnInput {
  text: string;
  state: DialogueState;
}

/**
 * One lap of the turn. `route` is the time the responders that declined took, `respond` the time
 * of the one that proposed (named in `responder`): a playbook run or an LLM call is counted
 * where it happened.
 */
export interface StageTiming {
  stage: 'normalise' | 'understand' | 'route' | 'respond' | 'guard' | 'decide';
  ms: number;
  responder?: string;
}

/** What a draft was written from: a model (`llm`), the tenant's FAQ answers, or its documents. */
export type DraftBasis = 'llm' | 'faq' | 'knowledge';

export interface Citation {
  source: string;
  id: string;
  version: number;
  /** What a person reads (the FAQ question, the document's title › section); looked up when absent. */
  title?: string;
}

export interface TurnDecision {
  route: Route;
  tier: Tier;
  intent: string | null;
  confidence: number;
  /** What the customer sees now. */
  reply: { text: string; parts: MessagePart[] };
  /**
   * What a person approves, edits or rejects before it is sent: the assist reply, or on a
   * hand-over the tenant's best-matching FAQ answer (src/engine/faq-draft.ts); null when there is none.
   */
  draft: { text: string; parts: MessagePart[]; basis: DraftBasis } | null;
  /** Why a person is needed, in English for the trace and for routing to a queue by its words. */
  handoffReason: string | null;
  /** The same, as agents read it in the tenant's locale (src/engine/locales.ts); stored on the handoff. */
  handoffText?: string | null;
  /** Summary for the agent who takes over (from a playbook's handoff note). */
  handoffNote: string | null;
  /** Domain events the turn asks for (e.g. coupon.issue_requested from a playbook). */
  events: Array<{ event: string; data: Record<string, unknown> }>;
  nextState: DialogueState;
  trace: TurnTrace;
}

export type PlaybookTrace = { name: string; status: PlaybookOutcome['status']; steps: PlaybookOutcome['steps'] };
export type RetrievalTrace = Array<{ id: string; matchScore: number }>;

export interface LlmTrace {
  model: string;
  usage: TokenUsage;
  steps: number;
  grounded: boolean;
  citations: string[];
  stopReason: string;
  /** Tool calls the model made; refused ones (outside the tenant's allow-list) carry the reason. */
  toolCalls: Array<{ name: string; error?: string }>;
  error?: string;
  ms: number;
}

export interface TurnTrace {
  input: { language: Language; normalized: string; length: number };
  understanding: Understanding;
  entities: Array<Pick<Entity, 'type' | 'value'>>;
  handover: { rule: string; reason: string } | null;
  gate: number;
  reasons: string[];
  citations: Citation[];
  playbook: PlaybookTrace | null;
  retrieval: RetrievalTrace;
  llm: LlmTrace | null;
  /** The style guard (src/engine/style-guard.ts): what it fixed, what still broke, what it did. */
  guard: {
    replaced: string[];
    violations: string[];
    outcome?: 'passed' | 'fixed' | 'rewritten' | 'draft' | 'withheld' | 'blocked';
    rules?: string[];
    kind?: string;
  };
  stages: StageTiming[];
  /** Each responder asked this turn, in order, and whether it proposed (the last one asked did). */
  responders: Array<{ name: string; ms: number; proposed: boolean }>;
  /** The embeddings evidence (only when an endpoint is configured): used, or why not. */
  embeddings?: EmbeddingTrace;
  /** The LLM's pick among the matcher's top candidates on an unsure turn (src/engine/llm-pick.ts). */
  llmPick?: LlmPickTrace;
}
