import { extractEntities, type Entity } from '../nlu/index.js';
import type { RetrievalHit } from '../knowledge/index.js';
import type { TurnEmbedding } from '../knowledge/embedding-evidence.js';
import type { PlaybookContext } from '../playbooks/index.js';
import type { NormalizedText } from '../text/index.js';
import { builtinTools } from '../tools/index.js';
import { resolveFollowUp } from './follow-up.js';
import { guardMessage, type GuardSignal } from '../guard/handover/turn-guard.js';
import { suggestFaqOptions } from './low-confidence.js';
import type { LlmPickTrace } from './llm-pick.js';
import { withEmbeddingEvidence } from './semantic-evidence.js';
import { readDialogue, type PlaybookContinuation } from './read-dialogue.js';
import type { RuntimeIntent, TenantRuntime } from './tenant-runtime.js';
import type { ClarifyOption, PlaybookTrace, RetrievalTrace, TurnInput, TurnServices } from './turn-types.js';
import type { Understanding } from './understander.js';

/** How many passages retrieval returns for a turn (the LLM tier reads them all, the light tier the best). */
const RETRIEVAL_DEPTH = 5;

/**
 * What every responder may read about the turn. Built once after understanding; nothing in it
 * changes while responders run. The costly look-ups are computed on first use and then shared,
 * so two responders asking for the same search pay for it once.
 */
export interface TurnContext {
  readonly runtime: TenantRuntime;
  readonly input: TurnInput;
  readonly services: TurnServices;
  readonly normalized: NormalizedText;
  readonly entities: readonly Entity[];
  /** Why a person must take the message (the hand-over guard: rules + classifier), if one must. */
  readonly handover: GuardSignal | null;
  /** The final reading: follow-ups resolved, a chosen quick reply or clarifying option applied. */
  readonly understanding: Understanding;
  readonly intent: string | null;
  readonly intentDefinition: RuntimeIntent | undefined;
  /** The confidence gate for the understood intent (its own threshold, else the tenant's). */
  readonly gate: number;
  /** The paused playbook this message carries on, when it does. */
  readonly continuation: PlaybookContinuation | null;
  /** Slots remembered across playbooks, as they stand before any responder runs. */
  readonly memory: Readonly<Record<string, string | number>>;
  /** What reading the message against the dialogue decided (e.g. it left a playbook). */
  readonly notes: readonly string[];
  /** The playbook a quick reply left this turn (it ran no step). */
  readonly leftPlaybook: PlaybookTrace | null;
  /** What playbooks see: the contact, the tenant, today's date and the connectors and tools. */
  playbookContext(): PlaybookContext;
  /** The best passages for the message, searched at most once per turn. */
  knowledgeHits(): readonly RetrievalHit[];
  /** The best passage when it is a document (not an FAQ entry) and its match reaches the gate. */
  bestDocumentHit(): RetrievalHit | null;
  /** The two best intents when they are close and together likely; otherwise none. */
  closeAlternatives(): readonly ClarifyOption[];
  /** The FAQ questions worth offering when the light tier is unsure (none in sensitive domains). */
  faqSuggestions(): readonly ClarifyOption[];
  /** The passages retrieval found, if any responder searched; empty otherwise. */
  retrieval(): RetrievalTrace;
  /** What steps of the turn that may not propose record for the trace (the LLM's pick among candidates). */
  readonly record: { llmPick?: LlmPickTrace };
}

/** Understands the message once and builds the context every responder reads. */
export function understandTurn(
  runtime: TenantRuntime,
  input: TurnInput,
  services: TurnServices,
  normalized: NormalizedText,
  embedding: TurnEmbedding | null = null,
): TurnContext {
  const lexical = runtime.understander.understand(normalized.text);
  const understood = resolveFollowUp(
    runtime,
    normalized.text,
    input.state,
    embedding ? withEmbeddingEvidence(lexical, embedding, runtime) : lexical,
  ).understanding;
  const handover = guardMessage(input.text, runtime.handover, runtime.locale);
  const entities = extractEntities(input.text, { now: services.now });
  const reading = readDialogue(runtime, input.text, input.state, understood, handover, entities);
  const understanding = reading.understanding;
  const intent = understanding.intent;
  const intentDefinition = intent ? runtime.intents.get(intent) : undefined;
  const gate = gateFor(runtime, intent);

  const knowledgeHits = once(() =>
    embedding?.trace.used
      ? embedding.rerankHits(runtime.knowledge.search(normalized.text, { k: RETRIEVAL_DEPTH * 4 }), RETRIEVAL_DEPTH)
      : runtime.knowledge.search(normalized.text, { k: RETRIEVAL_DEPTH }),
  );
  let searched = false;
  return {
    runtime,
    input,
    services,
    normalized,
    entities,
    handover,
    understanding,
    intent,
    intentDefinition,
    gate,
    continuation: reading.continuation,
    memory: reading.memory,
    notes: reading.notes,
    leftPlaybook: reading.leftPlaybook,
    playbookContext: once(() => ({
      contact: services.contact,
      tenant: { name: runtime.name, slug: runtime.slug },
      today: services.today ?? todayIn(runtime.timezone, services.now),
      now: services.now.toISOString(),
      connector: services.connector,
      tools: services.tools ?? builtinTools,
    })),
    knowledgeHits: () => {
      searched = true;
      return knowledgeHits();
    },
    bestDocumentHit: once(() => {
      searched = true;
      const [best] = knowledgeHits();
      if (!best || best.matchScore < gate) return null;
      const passage = runtime.passages.get(best.id);
      return passage && passage.source !== 'faq' ? best : null;
    }),
    closeAlternatives: once(() => closeAlternatives(understanding, runtime)),
    faqSuggestions: once(() => suggestFaqOptions(understanding, runtime)),
    retrieval: () =>
      searched
        ? knowledgeHits().map((hit) => ({ id: hit.id, matchScore: Math.round(hit.matchScore * 1000) / 1000 }))
        : [],
    record: {},
  };
}

/** The confidence gate for an intent: its own threshold, else the tenant's. */
export function gateFor(runtime: TenantRuntime, intent: string | null): number {
  return (intent ? runtime.intents.get(intent)?.threshold : null) ?? runtime.gate;
}

function once<T>(compute: () => T): () => T {
  let computed: { value: T } | undefined;
  return () => (computed ??= { value: compute() }).value;
}

function todayIn(timezone: string, now: Date): string {
  try {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

/**
 * The two best intents when they are close to each other and, together, likely (so one of them is
 * probably meant), labelled with the FAQ question or the intent's first example phrasing.
 */
function closeAlternatives(understanding: Understanding, runtime: TenantRuntime): ClarifyOption[] {
  const [first, second] = understanding.alternatives;
  if (!first || !second || understanding.outOfScope) return [];
  if (first.confidence - second.confidence > 0.25 || first.confidence + second.confidence < 0.6) return [];
  const label = (intent: string) => runtime.faq.get(intent)?.question ?? runtime.intents.get(intent)?.sample ?? null;
  const options = [first, second].map((alternative) => ({
    intent: alternative.intent,
    label: label(alternative.intent),
  }));
  // Only answerable choices: FAQ entries or intents with an answer or playbook, not human-only ones.
  if (options.some((option) => option.label === null || runtime.intents.get(option.intent)?.route === 'human'))
    return [];
  return options as ClarifyOption[];
}
