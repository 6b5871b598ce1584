import { performance } from 'node:perf_hooks';
import { extractEntities, type Entity } from '../nlu/index.js';
import { fillSlots, matchQuickReply, runPlaybook, startState, type Connector, type Playbook, type PlaybookOutcome, type PlaybookRunState } from '../playbooks/index.js';
import type { MessagePart } from '../store/schema.js';
import { normalizeText, type Language } from '../text/index.js';
import { builtinTools, type Tool } from '../tools/index.js';
import { answerWithPassages, detectPromptLeak, isLlmCallError, type ChatMessage, type ChatModel, type TokenUsage } from '../llm/index.js';
import { resolveFollowUp } from './follow-up.js';
import { detectHandover } from './handover-rules.js';
import { handoverQuickReply, isConfirmation, suggestFaqOptions, suggestionText } from './low-confidence.js';
import { applyStyleGuide } from './style-guard.js';
import type { TenantRuntime } from './tenant-runtime.js';
import type { Understanding } from './understander.js';

export type Route = 'auto' | 'assist' | 'human';
/** Which tier produced the reply: light (FAQ/intent answer), playbook, a fallback decline, or a person. */
export type Tier = 'light' | 'playbook' | 'llm' | 'fallback' | 'human';

/** Dialogue state kept on the conversation between turns. */
export interface DialogueState {
  lastIntent?: string | null;
  turns?: number;
  /** A playbook waiting for the customer (an ask) or offering quick replies. */
  playbook?: PlaybookRunState | null;
  /** Slots remembered across playbooks (e.g. the order last referenced). */
  memory?: Record<string, string | number>;
  /** The options of a clarifying question kefu just asked ("您是想问 A 还是 B？"). */
  clarify?: Array<{ label: string; intent: string }> | null;
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
  /** Summary for the agent who takes over (from a playbook's handoff note). */
  handoffNote: string | null;
  /** Domain events the turn asks for (e.g. coupon.issue_requested from a playbook). */
  events: Array<{ event: string; data: Record<string, unknown> }>;
  nextState: DialogueState;
  trace: TurnTrace;
}

export interface TurnTrace {
  input: { language: Language; normalized: string; length: number };
  understanding: Understanding;
  entities: Array<Pick<Entity, 'type' | 'value'>>;
  handover: { rule: string; reason: string } | null;
  gate: number;
  reasons: string[];
  citations: Array<{ source: string; id: string; version: number }>;
  playbook: { name: string; status: PlaybookOutcome['status']; steps: PlaybookOutcome['steps'] } | null;
  retrieval: Array<{ id: string; matchScore: number }>;
  llm: {
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
  } | null;
  guard: { replaced: string[]; violations: string[] };
  stages: StageTiming[];
}

/** Below this confidence the message is treated as unrelated to the tenant (decline, not hand over). */
const OUT_OF_SCOPE_FLOOR = 0.3;
/** A retrieval match this good means the question is about the tenant's knowledge, even when no intent fits. */
const IN_DOMAIN_MATCH = 0.35;
const SENSITIVE_DOMAINS = new Set(['finance', 'medical']);

/** Two or more questions in one message ("运费多少？多久到？", "and also …"). */
function isMultiPart(text: string): boolean {
  const questions = (text.match(/[?？]/g) ?? []).length;
  return questions >= 2 || /(另外|还有|以及|顺便问|and also|also,)/i.test(text);
}

function todayIn(timezone: string, now: Date): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

/**
 * One inbound message through normalise → understand → route → respond → guard → decide.
 * Reads the tenant runtime and calls out only through `services` (connectors, tools); returns
 * the decision and its trace, and persists nothing.
 */
export async function runTurn(runtime: TenantRuntime, input: TurnInput, services: TurnServices): Promise<TurnDecision> {
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
  let understanding = resolveFollowUp(runtime, normalized.text, input.state, runtime.understander.understand(normalized.text)).understanding;
  const handover = detectHandover(normalized.text, runtime.handover?.patterns, runtime.handover?.disabled);
  const entities = extractEntities(input.text, { now: services.now });
  lap('understand');

  // route
  const reasons: string[] = [];
  let route: Route = 'auto';
  let tier: Tier = 'light';
  let gate = runtime.gate;
  let answer: string | null = null;
  let quickReplies: string[] = [];
  const citations: TurnTrace['citations'] = [];
  let handoffNote: string | null = null;
  let events: TurnDecision['events'] = [];
  let playbookTrace: TurnTrace['playbook'] = null;
  let nextPlaybook: PlaybookRunState | null = null;
  const memory = { ...(input.state.memory ?? {}) };
  const context = {
    contact: services.contact,
    tenant: { name: runtime.name, slug: runtime.slug },
    today: services.today ?? todayIn(runtime.timezone, services.now),
    now: services.now.toISOString(),
    connector: services.connector,
    tools: services.tools ?? builtinTools,
  };

  const runAndApply = async (playbook: Playbook, state: PlaybookRunState, newSlots: Record<string, string | number>) => {
    const outcome = await runPlaybook(playbook, state, { text: input.text, newSlots }, context);
    playbookTrace = { name: playbook.name, status: outcome.status, steps: outcome.steps };
    for (const [name, value] of Object.entries(outcome.state?.slots ?? { ...state.slots, ...newSlots })) memory[name] = value;
    return outcome;
  };

  let active = input.state.playbook ?? null;
  let outcome: PlaybookOutcome | null = null;
  if (handover) {
    route = 'human';
    tier = 'human';
    reasons.push(`hand-over rule ${handover.rule}: ${handover.reason}`);
    active = null;
  } else if (active) {
    const playbook = runtime.playbooks.get(active.playbook);
    const offered = matchQuickReply(input.text, active.offered) !== null;
    const waitingSlot = active.waitingAt ? (playbook?.steps.find((step) => step.id === active!.waitingAt) as { slot?: string } | undefined)?.slot : undefined;
    const newSlots = playbook ? fillSlots(playbook.slots, input.text, entities, waitingSlot) : {};
    const fillsWaitedSlot = waitingSlot !== undefined && newSlots[waitingSlot] !== undefined;
    // A confident message for an intent outside this playbook is a topic switch.
    const switchesTopic =
      !understanding.outOfScope && understanding.intent !== null && understanding.confidence >= gate && runtime.intents.get(understanding.intent)?.playbook !== active.playbook;
    if (playbook && (offered || fillsWaitedSlot || (active.waitingAt && !switchesTopic))) {
      outcome = await runAndApply(playbook, active, newSlots);
      reasons.push(offered ? `quick reply "${matchQuickReply(input.text, active.offered)!.label}" in playbook ${playbook.name}` : `continues playbook ${playbook.name}`);
    } else if (playbook && !active.waitingAt && !offered && Object.keys(newSlots).length > 0 && (understanding.outOfScope || understanding.confidence < gate)) {
      // A follow-up that only changes a slot ("那分24期呢?"): rerun the playbook with it.
      outcome = await runAndApply(playbook, startState(playbook, { ...active.slots, ...newSlots }), {});
      reasons.push(`follow-up re-runs playbook ${playbook.name} with ${Object.keys(newSlots).join(', ')}`);
    } else {
      reasons.push(`leaves playbook ${active.playbook}`);
    }
  }

  if (outcome?.redirect?.intent) {
    understanding = { ...understanding, intent: outcome.redirect.intent, confidence: 1, outOfScope: false, reasons: [...understanding.reasons, 'quick reply'] };
    outcome = null;
  } else if (outcome?.redirect?.text) {
    understanding = runtime.understander.understand(normalizeText(outcome.redirect.text).text);
    outcome = null;
  }

  // The answer to a clarifying question: an option's label (typed or clicked) or its ordinal.
  const clarifyOptions = input.state.clarify ?? [];
  if (!handover && !outcome && clarifyOptions.length > 0) {
    const chosen = matchQuickReply(input.text, clarifyOptions) ?? clarifyOptions[ordinalOf(input.text) ?? -1] ?? (clarifyOptions.length === 1 && isConfirmation(input.text) ? clarifyOptions[0] : undefined);
    if (chosen) {
      understanding = { ...understanding, intent: chosen.intent, confidence: 1, outOfScope: false, reasons: [...understanding.reasons, `chose "${chosen.label}" from a clarifying question`] };
    }
  }
  let nextClarify: DialogueState['clarify'] = null;
  let suggestions: Array<{ label: string; intent: string }> = [];

  const intent = outcome ? (input.state.lastIntent ?? understanding.intent) : understanding.intent;
  const intentDefinition = intent ? runtime.intents.get(intent) : undefined;
  const faq = !outcome && intent ? runtime.faq.get(intent) : undefined;
  gate = intentDefinition?.threshold ?? runtime.gate;

  // The LLM tier: only for turns that need it (uncertain but in-domain, multi-part, or about a
  // document no intent covers), and only with a model configured.
  let llmTrace: TurnTrace['llm'] = null;
  let retrievalTrace: TurnTrace['retrieval'] = [];
  let llmAnswer: { text: string; confidence: number } | null = null;
  if (!handover && !outcome && services.llm && intentDefinition?.route !== 'human' && !intentDefinition?.playbook) {
    const hits = runtime.knowledge.search(normalized.text, { k: 5 });
    retrievalTrace = hits.map((hit) => ({ id: hit.id, matchScore: Math.round(hit.matchScore * 1000) / 1000 }));
    const uncertain = !understanding.outOfScope && understanding.confidence >= OUT_OF_SCOPE_FLOOR && understanding.confidence < gate;
    const aboutKnowledge = (understanding.outOfScope || understanding.confidence < OUT_OF_SCOPE_FLOOR) && (hits[0]?.matchScore ?? 0) >= IN_DOMAIN_MATCH;
    const multiPart = isMultiPart(input.text);
    if ((uncertain || aboutKnowledge || multiPart) && hits.length > 0) {
      const passages = hits.map((hit) => runtime.passages.get(hit.id)).filter((passage) => passage !== undefined);
      const started = performance.now();
      try {
        const tools = context.tools;
        const onDelta = services.llm.onDelta;
        let streamed = '';
        let streamStopped = false;
        const result = await answerWithPassages(services.llm.model, {
          // Stop forwarding the moment the text starts to repeat the system prompt.
          ...(onDelta
            ? {
                onTextDelta: (delta: string) => {
                  streamed += delta;
                  if (streamStopped || (streamStopped = detectPromptLeak(streamed, runtime.systemPrompt))) return;
                  onDelta(delta);
                },
              }
            : {}),
          question: input.text,
          history: services.llm.history,
          passages: passages.map(({ id, title, text, version }) => ({ id, title, text, version })),
          systemPrompt: runtime.systemPrompt,
          timeoutMs: services.llm.answerTimeoutMs,
          // The tenant's allow-list: the tools its own playbooks use, nothing else.
          tools: runtime.llmTools,
          executeTool: (name, toolInput) => {
            const tool = tools.get(name.replace(/_/g, '.'));
            if (!tool || !runtime.llmTools.some((definition) => definition.name === name)) throw new Error('not allowed');
            return tool.run(toolInput);
          },
        });
        const leaked = detectPromptLeak(result.text, runtime.systemPrompt);
        llmTrace = {
          model: services.llm.model.modelId,
          usage: result.usage,
          steps: result.steps,
          grounded: result.grounded,
          citations: result.citations,
          stopReason: result.stopReason,
          toolCalls: result.toolCalls.map((call) => ({ name: call.name, ...(call.error ? { error: call.error } : {}) })),
          ms: Math.round(performance.now() - started),
        };
        if (leaked) {
          route = 'human';
          tier = 'human';
          reasons.push('LLM answer repeats the system prompt: withheld');
        } else if (!result.grounded) {
          route = 'human';
          tier = 'human';
          reasons.push(`LLM answer cites nothing that was retrieved (${result.unknownCitations.length} unknown citation(s)): treated as low confidence`);
        } else {
          const cited = hits.filter((hit) => result.citations.includes(hit.id));
          const confidence = Math.max(...cited.map((hit) => hit.matchScore));
          llmAnswer = { text: result.text, confidence };
          for (const id of result.citations) {
            const passage = runtime.passages.get(id)!;
            citations.push({ source: passage.source, id: passage.reference, version: passage.version ?? 1 });
          }
          tier = 'llm';
          if (confidence < gate && SENSITIVE_DOMAINS.has(runtime.domain)) {
            route = 'assist';
            reasons.push(`LLM answer grounded in ${result.citations.join(', ')}, but retrieval confidence ${confidence.toFixed(3)} < gate ${gate} in ${runtime.domain}: a person approves the draft`);
          } else reasons.push(`LLM answer grounded in ${result.citations.join(', ')} (${uncertain ? 'light tier unsure' : multiPart ? 'multi-part question' : 'answered from documents'})`);
        }
      } catch (error) {
        const code = isLlmCallError(error) ? error.code : 'CS_INTERNAL';
        llmTrace = { model: services.llm.model.modelId, usage: { inputTokens: 0, outputTokens: 0 }, steps: 0, grounded: false, citations: [], stopReason: 'error', toolCalls: [], error: code, ms: Math.round(performance.now() - started) };
        route = 'human';
        tier = 'human';
        reasons.push(`LLM tier failed (${code}): a person takes over`);
      }
    }
  }

  if (!handover && !outcome && !llmTrace) {
    const playbook = intentDefinition?.playbook ? runtime.playbooks.get(intentDefinition.playbook) : undefined;
    const knowledgeHit = understanding.outOfScope || intent === null || understanding.confidence < OUT_OF_SCOPE_FLOOR ? bestDocumentHit(runtime, normalized.text, gate) : null;
    if (knowledgeHit) {
      // No intent fits, but a document passage matches well: answer with it and cite it.
      const passage = runtime.passages.get(knowledgeHit.id)!;
      answer = passage.text;
      citations.push({ source: passage.source, id: passage.reference, version: passage.version ?? 1 });
      retrievalTrace = [{ id: knowledgeHit.id, matchScore: Math.round(knowledgeHit.matchScore * 1000) / 1000 }];
      reasons.push(`document passage ${passage.reference} matches with ${knowledgeHit.matchScore.toFixed(3)} ≥ gate ${gate}`);
    } else if (understanding.outOfScope || intent === null || understanding.confidence < OUT_OF_SCOPE_FLOOR) {
      tier = 'fallback';
      reasons.push(`out of scope (confidence ${understanding.confidence.toFixed(3)}${understanding.outOfScope ? ', classifier says out of scope' : ` < ${OUT_OF_SCOPE_FLOOR}`})`);
    } else if (intentDefinition?.route === 'human') {
      route = 'human';
      tier = 'human';
      reasons.push(`intent ${intent} is routed to a person`);
    } else if (understanding.confidence < gate && closeAlternatives(understanding, runtime).length === 2) {
      // Two intents are close and together likely: ask which one, rather than guess or hand over.
      const options = closeAlternatives(understanding, runtime);
      nextClarify = options;
      answer = runtime.locale.startsWith('en') ? `Do you mean "${options[0]!.label}" or "${options[1]!.label}"?` : `请问您是想问「${options[0]!.label}」，还是「${options[1]!.label}」？`;
      quickReplies = options.map((option) => option.label);
      reasons.push(`clarify: ${options.map((option) => option.intent).join(' vs ')} are close (confidence ${understanding.confidence.toFixed(3)} < gate ${gate})`);
    } else if (understanding.confidence < gate && (suggestions = suggestFaqOptions(understanding, runtime)).length > 0) {
      // In domain but unsure, outside finance/medical: offer the likely FAQ questions (and a person).
      nextClarify = suggestions;
      answer = suggestionText(runtime.locale, suggestions);
      quickReplies = [...suggestions.map((option) => option.label), handoverQuickReply(runtime.locale)];
      reasons.push(`suggest: ${suggestions.map((option) => option.intent).join(', ')} (confidence ${understanding.confidence.toFixed(3)} < gate ${gate})`);
    } else if (understanding.confidence < gate) {
      route = 'human';
      tier = 'human';
      reasons.push(`confidence ${understanding.confidence.toFixed(3)} < gate ${gate}`);
    } else if (intentDefinition?.playbook && !playbook) {
      route = 'human';
      tier = 'human';
      reasons.push(`intent ${intent} names playbook ${intentDefinition.playbook}, which is not valid: ${runtime.problems.find((problem) => problem.includes(intentDefinition.playbook!)) ?? 'missing'}`);
    } else if (playbook) {
      const slots = { ...pickKnown(memory, playbook), ...fillSlots(playbook.slots, input.text, entities) };
      outcome = await runAndApply(playbook, startState(playbook, slots), {});
      reasons.push(`confidence ${understanding.confidence.toFixed(3)} ≥ gate ${gate}: starts playbook ${playbook.name}`);
    } else if (!faq && !intentDefinition?.answer) {
      route = 'human';
      tier = 'human';
      reasons.push(`intent ${intent} has no answer to give`);
    } else if (faq?.sensitive) {
      route = 'assist';
      reasons.push(`FAQ ${faq.id} is marked sensitive: a person approves the draft`);
    } else if (intentDefinition?.route === 'assist') {
      route = 'assist';
      reasons.push(`intent ${intent} is routed to assist`);
    } else reasons.push(`confidence ${understanding.confidence.toFixed(3)} ≥ gate ${gate}`);
  }
  lap('route');

  // respond
  if (llmAnswer) answer = llmAnswer.text;
  else if (nextClarify || (answer !== null && citations.length > 0)) {
    // the clarifying question is already in `answer`
  } else if (outcome) {
    tier = 'playbook';
    answer = outcome.replies.map((reply) => reply.text).join('\n\n');
    quickReplies = outcome.replies.flatMap((reply) => reply.quickReplies);
    events = outcome.events;
    nextPlaybook = outcome.state;
    if (outcome.status === 'handoff') {
      route = 'human';
      handoffNote = outcome.handoff?.note ?? null;
      reasons.push(`playbook handed over: ${outcome.handoff?.reason}`);
    }
  } else if (route === 'human') answer = runtime.messages.handoff;
  else if (tier === 'fallback') answer = runtime.messages.fallback;
  else if (faq) {
    answer = faq.answer;
    citations.push({ source: 'faq', id: faq.id, version: faq.version });
  } else answer = intentDefinition!.answer!;
  lap('respond');

  // guard
  const guarded = applyStyleGuide(answer ?? '', runtime.style);
  if (guarded.violations.length > 0 && route === 'auto') {
    route = 'human';
    reasons.push(`reply contains forbidden phrase(s): ${guarded.violations.join(', ')}`);
  }
  lap('guard');

  // decide
  const answerParts: MessagePart[] = [{ type: 'text', text: guarded.text }];
  if (quickReplies.length > 0) answerParts.push({ type: 'quick_replies', options: quickReplies });
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
    // A playbook's own handoff text says what happens next; keep it.
    const text = tier === 'playbook' ? guarded.text : runtime.messages.handoff;
    if (tier !== 'playbook') tier = 'human';
    reply = { text, parts: [{ type: 'text', text }, { type: 'handoff', reason: handoffReason }] };
  }
  lap('decide');

  return {
    route,
    tier,
    intent,
    confidence: llmAnswer ? llmAnswer.confidence : understanding.confidence,
    reply,
    draft,
    handoffReason,
    handoffNote,
    events,
    nextState: {
      lastIntent: tier === 'light' || tier === 'playbook' || tier === 'llm' ? intent : input.state.lastIntent ?? null,
      turns: (input.state.turns ?? 0) + 1,
      playbook: route === 'human' ? null : nextPlaybook,
      memory,
      clarify: route === 'auto' ? nextClarify : null,
    },
    trace: {
      input: { language: normalized.language, normalized: normalized.text.slice(0, 500), length: input.text.length },
      understanding,
      entities: entities.map((entity) => ({ type: entity.type, value: entity.value })),
      handover,
      gate,
      reasons,
      citations,
      playbook: playbookTrace,
      retrieval: retrievalTrace,
      llm: llmTrace,
      guard: { replaced: guarded.replaced, violations: guarded.violations },
      stages,
    },
  };
}

/** Remembered slot values the playbook declares (e.g. the order number from an earlier turn). */
function pickKnown(memory: Record<string, string | number>, playbook: Playbook): Record<string, string | number> {
  return Object.fromEntries(playbook.slots.filter((slot) => memory[slot.name] !== undefined).map((slot) => [slot.name, memory[slot.name]!]));
}

/**
 * The two best intents when they are close to each other and, together, likely (so one of them is
 * probably meant), labelled with the FAQ question or the intent's first example phrasing.
 */
function closeAlternatives(understanding: Understanding, runtime: TenantRuntime): Array<{ label: string; intent: string }> {
  const [first, second] = understanding.alternatives;
  if (!first || !second || understanding.outOfScope) return [];
  if (first.confidence - second.confidence > 0.25 || first.confidence + second.confidence < 0.6) return [];
  const label = (intent: string) => runtime.faq.get(intent)?.question ?? runtime.intents.get(intent)?.sample ?? null;
  const options = [first, second].map((alternative) => ({ intent: alternative.intent, label: label(alternative.intent) }));
  // Only answerable choices: FAQ entries or intents with an answer or playbook, not human-only ones.
  if (options.some((option) => option.label === null || runtime.intents.get(option.intent)?.route === 'human')) return [];
  return options as Array<{ label: string; intent: string }>;
}

/** "第二个" / "第2个" / "the second one" / "2" → 1 (0-based), for choosing among offered options. */
function ordinalOf(text: string): number | null {
  const normalized = normalizeText(text).text;
  const chinese = /第\s*([一二三四1-4])\s*(个|种|项|条)?/.exec(normalized) ?? /^([一二三四1-4])\s*[.、)]?$/.exec(normalized);
  if (chinese) return '一二三四'.includes(chinese[1]!) ? '一二三四'.indexOf(chinese[1]!) : Number(chinese[1]) - 1;
  const english = /\b(first|second|third|fourth)\b/.exec(normalized);
  if (english) return ['first', 'second', 'third', 'fourth'].indexOf(english[1]!);
  return null;
}

/** The best retrieved document (not FAQ) passage when its calibrated match reaches the gate. */
function bestDocumentHit(runtime: TenantRuntime, normalizedText: string, gate: number) {
  const [best] = runtime.knowledge.search(normalizedText, { k: 1 });
  if (!best || best.matchScore < gate) return null;
  const passage = runtime.passages.get(best.id);
  return passage && passage.source !== 'faq' ? best : null;
}
