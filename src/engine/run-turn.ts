import { performance } from 'node:perf_hooks';
import type { MessagePart } from '../store/schema.js';
import { normalizeText } from '../text/index.js';
import { firstProposal, roundMs } from './responders/first-proposal.js';
import { RESPONDERS } from './responders/index.js';
import { handOver, type Proposal, type Responder } from './responders/responder.js';
import { draftBasisOf, faqDraftFor } from './faq-draft.js';
import { agentText, translateTurn } from './locales.js';
import { localiseReply } from './localise-reply.js';
import { withPickUsage } from './llm-pick.js';
import { gatherEmbeddingEvidence } from './semantic-evidence.js';
import { guardProposal } from './style-guard.js';
import type { TenantRuntime } from './tenant-runtime.js';
import { gateFor, understandTurn } from './turn-context.js';
import type { Citation, Route, StageTiming, Tier, TurnDecision, TurnInput, TurnServices } from './turn-types.js';

export type {
  Citation,
  ClarifyOption,
  DialogueState,
  DraftBasis,
  LlmTrace,
  PlaybookTrace,
  RetrievalTrace,
  Route,
  StageTiming,
  Tier,
  TurnDecision,
  TurnInput,
  TurnServices,
  TurnTrace,
} from './turn-types.js';

/**
 * One inbound message through normalise → understand → the first responder's proposal → guard →
 * decide. Reads the tenant runtime and calls out only through `services` (connectors, tools, the
 * model); returns the decision and its trace, and persists nothing.
 * @param responders the policies to ask, in priority order (the standard list unless a test
 *   or an experiment passes another)
 */
export async function runTurn(
  runtime: TenantRuntime,
  input: TurnInput,
  services: TurnServices,
  responders: readonly Responder[] = RESPONDERS,
): Promise<TurnDecision> {
  const stages: StageTiming[] = [];
  let mark = performance.now();
  const lap = (stage: StageTiming['stage'], until = performance.now(), responder?: string) => {
    stages.push({ stage, ms: roundMs(until - mark), ...(responder ? { responder } : {}) });
    mark = until;
  };

  const normalized = normalizeText(input.text);
  lap('normalise');

  // Vectors as evidence when the tenant has an embeddings endpoint (null without: the lexical tier alone).
  const embedding = await gatherEmbeddingEvidence(runtime, input.text, services.embeddings);
  const context = understandTurn(runtime, input, services, normalized, embedding);
  lap('understand');

  const chosen = await firstProposal(responders, context);
  lap('route', chosen.proposerStartedAt);
  // The standard list always ends in a responder that proposes; a custom one may not.
  const proposal: Proposal = chosen.proposal ?? handOver(context, 'no responder proposed a reply');
  lap('respond', performance.now(), chosen.responder ?? undefined);

  // Brand voice and compliance (src/guard/style): fixed, rewritten once, drafted or blocked.
  const guarded = await guardProposal(runtime, proposal, input, services);
  const route: Route = guarded.route;
  const reasons = [...context.notes, ...proposal.reasons, ...guarded.reasons];
  lap('guard');

  // A playbook that hands over says in its own words what happens next, so it keeps its text and
  // tier; a reply the guard refused never goes out, whoever proposed it.
  const ownHandover = proposal.route === 'human' && (proposal.tier === 'playbook' || proposal.ownReply === true);
  const tier: Tier = route === 'human' && !ownHandover ? 'human' : proposal.tier;
  const handoffReason =
    route === 'auto' ? null : (reasons[reasons.length - 1] ?? (route === 'assist' ? 'assist' : 'hand-over'));
  const handoffText = route === 'auto' ? null : agentReasonOf(runtime.locale, route, proposal, guarded);
  const answer = { text: guarded.text, parts: answerParts(guarded.text, proposal, runtime) };
  const handedOver = (text: string, reason: string) => ({
    text,
    parts: [
      { type: 'text', text },
      { type: 'handoff', reason },
    ] satisfies MessagePart[],
  });
  // In the customer's script: a Traditional-Chinese message gets a Traditional reply.
  const reply = localiseReply(
    route === 'auto' ? answer : handedOver(ownHandover ? guarded.text : runtime.messages.handoff, handoffReason!),
    input.text,
  );
  const intent = proposal.intent !== undefined ? proposal.intent : context.intent;
  lap('decide');

  return {
    route,
    tier,
    intent,
    confidence: proposal.confidence ?? context.understanding.confidence,
    reply,
    // A person reviews it: the assist reply, or for a hand-over the best FAQ answer when one fits
    // (not when the guard refused the reply: a person writes that one).
    draft:
      route === 'assist'
        ? {
            ...localiseReply(answer, input.text),
            basis: draftBasisOf({
              tier: proposal.tier,
              byModel: Boolean(proposal.llm) || guarded.rewriteUsage !== null,
              citations: proposal.citations ?? [],
            }),
          }
        : route === 'human' && proposal.route === 'human' && !ownHandover
          ? faqDraftFor(context)
          : null,
    handoffReason,
    handoffText,
    handoffNote: proposal.handoffNote ?? null,
    events: proposal.events ?? [],
    nextState: {
      lastIntent: tier === 'light' || tier === 'playbook' || tier === 'llm' ? intent : (input.state.lastIntent ?? null),
      turns: (input.state.turns ?? 0) + 1,
      playbook: route === 'human' ? null : (proposal.playbook?.next ?? null),
      memory: { ...context.memory, ...proposal.playbook?.remember },
      clarify: route === 'auto' ? (proposal.clarify ?? null) : null,
    },
    trace: {
      input: { language: normalized.language, normalized: normalized.text.slice(0, 500), length: input.text.length },
      understanding: context.understanding,
      entities: context.entities.map((entity) => ({ type: entity.type, value: entity.value })),
      handover: context.handover,
      gate: gateFor(runtime, intent),
      reasons,
      citations: proposal.citations ?? [],
      playbook: proposal.playbook?.trace ?? context.leftPlaybook,
      retrieval: context.retrieval(),
      llm: withPickUsage(
        proposal.llm
          ? guarded.rewriteUsage
            ? {
                ...proposal.llm,
                usage: {
                  inputTokens: proposal.llm.usage.inputTokens + guarded.rewriteUsage.inputTokens,
                  outputTokens: proposal.llm.usage.outputTokens + guarded.rewriteUsage.outputTokens,
                },
              }
            : proposal.llm
          : null,
        context.record.llmPick,
      ),
      guard: guarded.trace,
      stages,
      responders: chosen.asked,
      ...(embedding ? { embeddings: embedding.trace } : {}),
      ...(context.record.llmPick ? { llmPick: context.record.llmPick } : {}),
    },
  };
}

/**
 * Why a person takes over, as agents read it: the style guard's words when it changed the route,
 * else the proposal's agent reason, else a plain "needs a person" in the tenant's locale.
 */
function agentReasonOf(
  locale: string,
  route: Route,
  proposal: Proposal,
  guarded: { route: Route; reasons: string[] },
): string {
  if (guarded.route !== proposal.route && guarded.reasons.length > 0)
    return guarded.reasons[guarded.reasons.length - 1]!;
  const reason = proposal.agentReason;
  if (typeof reason === 'string') return reason;
  if (reason) return agentText(locale, reason);
  return translateTurn(locale, route === 'assist' ? 'assist.default' : 'handover.default');
}

/** The reply as message parts: its text, then its quick replies, then what it cites (by title). */
function answerParts(text: string, proposal: Proposal, runtime: TenantRuntime): MessagePart[] {
  const parts: MessagePart[] = [{ type: 'text', text }];
  if (proposal.quickReplies && proposal.quickReplies.length > 0)
    parts.push({ type: 'quick_replies', options: proposal.quickReplies });
  for (const citation of proposal.citations ?? []) {
    const title = citation.title ?? citationTitle(runtime, citation);
    parts.push({
      type: 'citation',
      source: `${citation.source}:${citation.id}`,
      ...(title ? { title } : {}),
      version: citation.version,
    });
  }
  return parts;
}

/**
 * What a person reads for a source: the FAQ's question, or the document's title and section
 * (its heading trail), never an id like `faq:faq-13`.
 */
export function citationTitle(runtime: TenantRuntime, citation: Citation): string | undefined {
  if (citation.source === 'faq') return runtime.faq.get(citation.id)?.question;
  // Documents: a scan, but only for the one or two passages a reply cites.
  for (const passage of runtime.passages.values()) {
    if (passage.reference === citation.id && passage.source === citation.source) return passage.title ?? undefined;
  }
  return undefined;
}
