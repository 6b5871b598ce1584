import type { Entity } from '../nlu/index.js';
import { fillSlots, matchQuickReply, startState, type Playbook, type PlaybookRunState } from '../playbooks/index.js';
import { normalizeText } from '../text/index.js';
import type { HandoverSignal } from './handover-rules.js';
import { isConfirmation } from './low-confidence.js';
import type { TenantRuntime } from './tenant-runtime.js';
import type { DialogueState, PlaybookTrace } from './turn-types.js';
import type { Understanding } from './understander.js';

/** The paused playbook this message carries on: resumed where it waits, or re-run with a changed slot. */
export interface PlaybookContinuation {
  playbook: Playbook;
  state: PlaybookRunState;
  newSlots: Record<string, string | number>;
  reason: string;
}

/** The message read in the context of the conversation, before any responder runs. */
export interface DialogueReading {
  understanding: Understanding;
  continuation: PlaybookContinuation | null;
  /** Slots remembered so far; a quick reply that leaves a playbook keeps that playbook's slots. */
  memory: Record<string, string | number>;
  /** What the reading decided, for the trace's reasons (e.g. the customer left a playbook). */
  notes: string[];
  /** The playbook a quick reply just left, for the trace (it ran no step). */
  leftPlaybook: PlaybookTrace | null;
}

/**
 * Reads a message against what kefu said last: does it answer the paused playbook, pick one of its
 * quick replies, or pick an option of a clarifying question? A hand-over request is never read as
 * an answer: the paused playbook is dropped and the options are ignored.
 */
export function readDialogue(
  runtime: TenantRuntime,
  text: string,
  state: DialogueState,
  understood: Understanding,
  handover: HandoverSignal | null,
  entities: readonly Entity[],
): DialogueReading {
  const memory = { ...(state.memory ?? {}) };
  if (handover) return { understanding: understood, continuation: null, memory, notes: [], leftPlaybook: null };
  const reading = readPlaybook(runtime, text, state.playbook ?? null, understood, entities);
  if (reading.continuation)
    return { understanding: understood, continuation: reading.continuation, memory, notes: [], leftPlaybook: null };
  const understanding = readClarifyChoice(text, state.clarify ?? [], reading.understanding);
  return {
    understanding,
    continuation: null,
    memory: { ...memory, ...reading.remember },
    notes: reading.notes,
    leftPlaybook: reading.left,
  };
}

function readPlaybook(
  runtime: TenantRuntime,
  text: string,
  active: PlaybookRunState | null,
  understanding: Understanding,
  entities: readonly Entity[],
) {
  const none = {
    understanding,
    continuation: null,
    remember: {},
    notes: [] as string[],
    left: null as PlaybookTrace | null,
  };
  if (!active) return none;
  const playbook = runtime.playbooks.get(active.playbook);
  if (!playbook) return { ...none, notes: [`leaves playbook ${active.playbook}`] };
  const chosen = matchQuickReply(text, active.offered);
  const waitingSlot = active.waitingAt
    ? (playbook.steps.find((step) => step.id === active.waitingAt) as { slot?: string } | undefined)?.slot
    : undefined;
  const newSlots = fillSlots(playbook.slots, text, entities, waitingSlot);
  if (chosen && !chosen.goto) {
    // A quick reply that starts another intent (or sends a text): the playbook ends here and the
    // message is understood as that intent or text.
    const redirected: Understanding = chosen.intent
      ? {
          ...understanding,
          intent: chosen.intent,
          confidence: 1,
          outOfScope: false,
          reasons: [...understanding.reasons, 'quick reply'],
        }
      : runtime.understander.understand(normalizeText(chosen.text ?? chosen.label).text);
    return {
      understanding: redirected,
      continuation: null,
      remember: { ...active.slots, ...newSlots },
      notes: [`quick reply "${chosen.label}" in playbook ${playbook.name}`],
      left: { name: playbook.name, status: 'done' as const, steps: [] },
    };
  }
  const fillsWaitedSlot = waitingSlot !== undefined && newSlots[waitingSlot] !== undefined;
  // A confident message for an intent outside this playbook is a topic switch.
  const switchesTopic =
    !understanding.outOfScope &&
    understanding.intent !== null &&
    understanding.confidence >= runtime.gate &&
    runtime.intents.get(understanding.intent)?.playbook !== active.playbook;
  if (chosen || fillsWaitedSlot || (active.waitingAt && !switchesTopic)) {
    const reason = chosen
      ? `quick reply "${chosen.label}" in playbook ${playbook.name}`
      : `continues playbook ${playbook.name}`;
    return { ...none, continuation: { playbook, state: active, newSlots, reason } };
  }
  const unsure = understanding.outOfScope || understanding.confidence < runtime.gate;
  if (!active.waitingAt && Object.keys(newSlots).length > 0 && unsure) {
    // A follow-up that only changes a slot ("那分24期呢?"): rerun the playbook with it.
    const reason = `follow-up re-runs playbook ${playbook.name} with ${Object.keys(newSlots).join(', ')}`;
    return {
      ...none,
      continuation: { playbook, state: startState(playbook, { ...active.slots, ...newSlots }), newSlots: {}, reason },
    };
  }
  return { ...none, notes: [`leaves playbook ${active.playbook}`] };
}

/** The answer to a clarifying question: an option's label (typed or clicked), its ordinal, or "yes" to a single one. */
function readClarifyChoice(
  text: string,
  options: ReadonlyArray<{ label: string; intent: string }>,
  understanding: Understanding,
): Understanding {
  if (options.length === 0) return understanding;
  const chosen =
    matchQuickReply(text, options) ??
    options[ordinalOf(text) ?? -1] ??
    (options.length === 1 && isConfirmation(text) ? options[0] : undefined);
  if (!chosen) return understanding;
  const reasons = [...understanding.reasons, `chose "${chosen.label}" from a clarifying question`];
  return { ...understanding, intent: chosen.intent, confidence: 1, outOfScope: false, reasons };
}

/** "第二个" / "第2个" / "the second one" / "2" → 1 (0-based), for choosing among offered options. */
export function ordinalOf(text: string): number | null {
  const normalized = normalizeText(text).text;
  const chinese =
    /第\s*([一二三四1-4])\s*(个|种|项|条)?/.exec(normalized) ?? /^([一二三四1-4])\s*[.、)]?$/.exec(normalized);
  if (chinese) return '一二三四'.includes(chinese[1]) ? '一二三四'.indexOf(chinese[1]) : Number(chinese[1]) - 1;
  const english = /\b(first|second|third|fourth)\b/.exec(normalized);
  if (english) return ['first', 'second', 'third', 'fourth'].indexOf(english[1]);
  return null;
}
