import { performance } from 'node:perf_hooks';
import type { MessagePart } from '../store/schema.js';
import { normalizeText, type Language } from '../text/index.js';
import { detectHandover } from './handover-rules.js';
import { applyStyleGuide } from './style-guard.js';
import type { TenantRuntime } from './tenant-runtime.js';
import type { Understanding } from './understander.js';

export type Route = 'auto' | 'assist' | 'human';
/** Which tier produced the reply: the light tier (FAQ/intent), a fallback decline, or a person. */
export type Tier = 'light' | 'fallback' | 'human';

/** Dialogue state kept on the conversation between turns. */
export interface DialogueState {
  lastIntent?: string | null;
  turns?: number;
}

export interface TurnInput {
  text: string;
  state: DialogueState;
}

export interface StageTiming {
  stage: 'normalise' | 'understand' | 'route' | 'respond' | 'guard' | 'decide';
  ms: number;
}

export interface TurnDecision {
  route: Route;
  tier: Tier;
  intent: string | null;
  confidence: number;
  /** What the customer sees now. */
  reply: { text: string; parts: MessagePart[] };
  /** For assist: the AI draft a person approves, edits or rejects. */
  draft: { text: string; parts: MessagePart[] } | null;
  handoffReason: string | null;
  nextState: DialogueState;
  trace: TurnTrace;
}

export interface TurnTrace {
  input: { language: Language; normalized: string; length: number };
  understanding: Understanding;
  handover: { rule: string; reason: string } | null;
  gate: number;
  reasons: string[];
  citations: Array<{ source: string; id: string; version: number }>;
  guard: { replaced: string[]; violations: string[] };
  stages: StageTiming[];
}

/** Below this confidence the message is treated as unrelated to the tenant (decline, not hand over). */
const OUT_OF_SCOPE_FLOOR = 0.3;

/**
 * One inbound message through normalise → understand → route → respond → guard → decide.
 * Pure: reads the tenant runtime, returns the decision and its trace; persisting is the caller's.
 */
export function runTurn(runtime: TenantRuntime, input: TurnInput): TurnDecision {
  const stages: StageTiming[] = [];
  let mark = performance.now();
  const lap = (stage: StageTiming['stage']) => {
    const now = performance.now();
    stages.push({ stage, ms: Math.round((now - mark) * 1000) / 1000 });
    mark = now;
  };

  // normalise
  const normalized = normalizeText(input.text);
  lap('normalise');

  // understand
  const understanding = runtime.understander.understand(normalized.text);
  const handover = detectHandover(normalized.text);
  lap('understand');

  // route
  const reasons: string[] = [];
  const intent = understanding.intent;
  const intentDefinition = intent ? runtime.intents.get(intent) : undefined;
  const faq = intent ? runtime.faq.get(intent) : undefined;
  const gate = intentDefinition?.threshold ?? runtime.gate;
  let route: Route = 'auto';
  let tier: Tier = 'light';
  if (handover) {
    route = 'human';
    tier = 'human';
    reasons.push(`hand-over rule ${handover.rule}: ${handover.reason}`);
  } else if (understanding.outOfScope || intent === null || understanding.confidence < OUT_OF_SCOPE_FLOOR) {
    tier = 'fallback';
    reasons.push(`out of scope (confidence ${understanding.confidence.toFixed(3)} < ${OUT_OF_SCOPE_FLOOR})`);
  } else if (intentDefinition?.route === 'human') {
    route = 'human';
    tier = 'human';
    reasons.push(`intent ${intent} is routed to a person`);
  } else if (understanding.confidence < gate) {
    route = 'human';
    tier = 'human';
    reasons.push(`confidence ${understanding.confidence.toFixed(3)} < gate ${gate}`);
  } else if (intentDefinition?.playbook) {
    // The playbook runner arrives with the conversation engine; until then a person handles it.
    route = 'human';
    tier = 'human';
    reasons.push(`intent ${intent} needs playbook ${intentDefinition.playbook}, which this build cannot run`);
  } else if (!faq && !intentDefinition?.answer) {
    route = 'human';
    tier = 'human';
    reasons.push(`intent ${intent} has no answer to give`);
  } else {
    if (faq?.sensitive) {
      route = 'assist';
      reasons.push(`FAQ ${faq.id} is marked sensitive: a person approves the draft`);
    } else if (intentDefinition?.route === 'assist') {
      route = 'assist';
      reasons.push(`intent ${intent} is routed to assist`);
    } else reasons.push(`confidence ${understanding.confidence.toFixed(3)} ≥ gate ${gate}`);
  }
  lap('route');

  // respond
  const citations: TurnTrace['citations'] = [];
  let answer: string;
  if (route === 'human') answer = runtime.messages.handoff;
  else if (tier === 'fallback') answer = runtime.messages.fallback;
  else if (faq) {
    answer = faq.answer;
    citations.push({ source: 'faq', id: faq.id, version: faq.version });
  } else answer = intentDefinition!.answer!;
  lap('respond');

  // guard
  const guarded = applyStyleGuide(answer, runtime.style);
  if (guarded.violations.length > 0 && route === 'auto') {
    route = 'human';
    tier = 'human';
    reasons.push(`reply contains forbidden phrase(s): ${guarded.violations.join(', ')}`);
  }
  lap('guard');

  // decide
  const answerParts: MessagePart[] = [{ type: 'text', text: guarded.text }];
  for (const citation of citations) answerParts.push({ type: 'citation', source: `${citation.source}:${citation.id}`, version: citation.version });
  let reply = { text: guarded.text, parts: answerParts };
  let draft: TurnDecision['draft'] = null;
  let handoffReason: string | null = null;
  if (route === 'assist') {
    draft = reply;
    handoffReason = reasons[reasons.length - 1] ?? 'assist';
    reply = { text: runtime.messages.handoff, parts: [{ type: 'text', text: runtime.messages.handoff }, { type: 'handoff', reason: handoffReason }] };
  } else if (route === 'human') {
    handoffReason = reasons[reasons.length - 1] ?? 'hand-over';
    reply = { text: runtime.messages.handoff, parts: [{ type: 'text', text: runtime.messages.handoff }, { type: 'handoff', reason: handoffReason }] };
  }
  lap('decide');

  return {
    route,
    tier,
    intent,
    confidence: understanding.confidence,
    reply,
    draft,
    handoffReason,
    nextState: { lastIntent: tier === 'light' ? intent : input.state.lastIntent ?? null, turns: (input.state.turns ?? 0) + 1 },
    trace: {
      input: { language: normalized.language, normalized: normalized.text.slice(0, 500), length: input.text.length },
      understanding,
      handover,
      gate,
      reasons,
      citations,
      guard: { replaced: guarded.replaced, violations: guarded.violations },
      stages,
    },
  };
}
