import type { Tool } from '../tools/index.js';
import type { Connector } from './connector.js';
import type { Playbook, PlaybookStep, QuickReply } from './playbook-schema.js';
import { matchQuickReply } from './quick-replies.js';
import { evaluateCondition, renderTemplate, renderValue, type Scope } from './template.js';

/** Where a paused playbook stands; kept in the conversation's dialogue state between turns. */
export interface PlaybookRunState {
  playbook: string;
  /** The ask step waiting for the customer's answer. */
  waitingAt: string | null;
  slots: Record<string, string | number>;
  variables: Record<string, unknown>;
  attempts: Record<string, number>;
  /** Quick replies offered by the last answer, by label, so a click (sent as text) resumes them. */
  offered: Array<{ label: string; goto?: string; intent?: string; text?: string }>;
}

export interface PlaybookReply {
  text: string;
  quickReplies: string[];
}

export interface PlaybookOutcome {
  status: 'waiting' | 'done' | 'handoff';
  replies: PlaybookReply[];
  handoff: { reason: string; note: string } | null;
  /** Domain events the playbook asks for (e.g. coupon.issue_requested). */
  events: Array<{ event: string; data: Record<string, unknown> }>;
  /** The state to keep for the next turn; null when the run ended. */
  state: PlaybookRunState | null;
  /** Steps taken this turn, for the turn trace. */
  steps: Array<{ id: string; kind: PlaybookStep['kind']; detail?: string; ms?: number }>;
  /** Set when the customer chose a quick reply that starts another intent or sends a text. */
  redirect: { intent?: string; text?: string } | null;
}

export interface PlaybookContext {
  contact: Record<string, unknown>;
  tenant: Record<string, unknown>;
  /** YYYY-MM-DD in the tenant's time zone. */
  today: string;
  now: string;
  connector: Connector;
  tools: ReadonlyMap<string, Tool>;
  /** Bound on connector calls. */
  connectorTimeoutMs?: number;
}

const MAX_STEPS_PER_TURN = 64;

export function startState(playbook: Playbook, slots: Record<string, string | number>): PlaybookRunState {
  return { playbook: playbook.name, waitingAt: null, slots: { ...slots }, variables: {}, attempts: {}, offered: [] };
}

/**
 * Runs a playbook from where it stands until it must wait for the customer, ends, or hands over.
 * Never throws for a playbook's own failures: a connector or tool failure without a handler
 * becomes a handoff with the reason recorded.
 * @param newSlots slots filled from the customer's latest message (merged into the state).
 */
export async function runPlaybook(
  playbook: Playbook,
  previous: PlaybookRunState,
  input: { text: string; newSlots: Record<string, string | number> },
  context: PlaybookContext,
): Promise<PlaybookOutcome> {
  const state: PlaybookRunState = structuredClone(previous);
  Object.assign(state.slots, input.newSlots);
  const outcome: PlaybookOutcome = {
    status: 'done',
    replies: [],
    handoff: null,
    events: [],
    state: null,
    steps: [],
    redirect: null,
  };
  const stepsById = new Map(playbook.steps.map((step) => [step.id, step]));
  const indexOf = new Map(playbook.steps.map((step, index) => [step.id, index]));
  const scopes = (): Scope[] => [
    { contact: context.contact, tenant: context.tenant, today: context.today, now: context.now },
    state.variables,
    state.slots,
  ];
  // Replies are read by people: dates and times come out as 「11月23日 16:30」, "this year" being the playbook's today.
  const people = { forPeople: true, now: new Date(`${context.today}T12:00:00Z`) };
  const handOver = (reason: string, text: string, note: string) => {
    outcome.status = 'handoff';
    outcome.replies.push({ text, quickReplies: [] });
    outcome.handoff = { reason, note };
    outcome.state = null;
    return outcome;
  };
  const following = (step: PlaybookStep): string | null => {
    if ('next' in step && step.next) return step.next;
    const index = indexOf.get(step.id)! + 1;
    return index < playbook.steps.length ? playbook.steps[index]!.id : null;
  };
  const offer = (replies: readonly QuickReply[] | undefined): string[] => {
    const visible = (replies ?? []).filter(
      (reply) => reply.when === undefined || evaluateCondition(reply.when, scopes()),
    );
    state.offered = visible.map((reply) => ({
      label: reply.label,
      goto: reply.goto,
      intent: reply.intent,
      text: reply.text,
    }));
    return visible.map((reply) => reply.label);
  };

  // Set when a step was reached through a failure edge (on_empty, on_error, on_fail): an ask
  // reached that way asks again even though its slot holds a (wrong) value.
  let viaFailure = false;
  const fail = (target: string) => {
    viaFailure = true;
    return target;
  };
  let current: string | null;
  const chosen = matchQuickReply(input.text, state.offered);
  if (chosen) {
    state.offered = [];
    if (chosen.goto) current = chosen.goto;
    else {
      outcome.redirect = chosen.intent ? { intent: chosen.intent } : { text: chosen.text ?? chosen.label };
      return outcome;
    }
  } else if (state.waitingAt) {
    const asking = stepsById.get(state.waitingAt);
    if (!asking || asking.kind !== 'ask')
      return handOver(
        'playbook-state-lost',
        '抱歉，我这边出了点问题，正在为您转接人工客服。',
        `playbook ${playbook.name}: step ${state.waitingAt} is gone`,
      );
    if (state.slots[asking.slot] !== undefined && input.newSlots[asking.slot] !== undefined) {
      current = asking.next ?? following(asking);
    } else {
      state.attempts[asking.id] = (state.attempts[asking.id] ?? 0) + 1;
      if (state.attempts[asking.id]! >= asking.max_attempts) {
        if (!asking.on_fail)
          return handOver(
            'slot-not-understood',
            '抱歉，我没能理解您的信息，正在为您转接人工客服。',
            `playbook ${playbook.name}: no ${asking.slot} after ${asking.max_attempts} asks`,
          );
        current = asking.on_fail;
        viaFailure = true;
      } else current = asking.id;
    }
    state.waitingAt = null;
  } else current = playbook.steps[0]!.id;

  for (let taken = 0; current !== null; taken += 1) {
    if (taken >= MAX_STEPS_PER_TURN) {
      return handOver(
        'playbook-loop',
        '抱歉，我这边处理超时了，正在为您转接人工客服。',
        `playbook ${playbook.name} took more than ${MAX_STEPS_PER_TURN} steps in one turn`,
      );
    }
    const step = stepsById.get(current);
    if (!step)
      return handOver(
        'playbook-broken',
        '抱歉，我这边出了点问题，正在为您转接人工客服。',
        `playbook ${playbook.name}: no step ${current}`,
      );
    const arrivedViaFailure = viaFailure;
    viaFailure = false;
    const started = performance.now();
    const record = (detail?: string) =>
      outcome.steps.push({
        id: step.id,
        kind: step.kind,
        ...(detail ? { detail } : {}),
        ms: Math.round((performance.now() - started) * 1000) / 1000,
      });

    switch (step.kind) {
      case 'branch': {
        const match = step.cases.find((entry) => evaluateCondition(entry.when, scopes()));
        record(match ? `when ${match.when}` : 'else');
        current = match ? match.next : step.else;
        break;
      }
      case 'connector': {
        const where: Record<string, string | number | { in: Array<string | number> }> = {};
        for (const [column, condition] of Object.entries(step.where ?? {})) {
          where[column] = typeof condition === 'object' ? condition : String(renderValue(condition, scopes()));
        }
        let rows: Array<Record<string, string>>;
        try {
          rows = await withTimeout(
            context.connector.query({
              table: step.table,
              where,
              orderBy: step.order_by,
              limit: step.pick === 'first' ? 1 : 500,
            }),
            context.connectorTimeoutMs ?? 5000,
          );
        } catch (error) {
          record(`failed: ${(error as Error).message}`);
          return handOver(
            'connector-failed',
            '抱歉，暂时查询不到相关信息，正在为您转接人工客服。',
            `playbook ${playbook.name}: ${context.connector.name} connector failed on ${step.table}: ${(error as Error).message}`,
          );
        }
        record(`${step.table}: ${rows.length} row(s)`);
        if (rows.length === 0 && step.on_empty) {
          current = fail(step.on_empty);
          break;
        }
        if (step.pick === 'first') {
          if (rows[0]) state.variables[step.save_as] = rows[0];
        } else state.variables[step.save_as] = rows;
        current = following(step);
        break;
      }
      case 'compute': {
        const tool = context.tools.get(step.tool);
        try {
          if (!tool) throw new Error(`unknown tool ${step.tool}`);
          state.variables[step.save_as] = tool.run(renderValue(step.input, scopes()) as Record<string, unknown>);
          record(step.tool);
          current = following(step);
        } catch (error) {
          record(`${step.tool} failed: ${(error as Error).message}`);
          if (step.on_error) current = fail(step.on_error);
          else
            return handOver(
              'tool-failed',
              '抱歉，我没能完成计算，正在为您转接人工客服。',
              `playbook ${playbook.name}: ${step.tool} failed: ${(error as Error).message}`,
            );
        }
        break;
      }
      case 'ask': {
        const firstVisit = state.attempts[step.id] === undefined;
        if (firstVisit && !arrivedViaFailure && state.slots[step.slot] !== undefined) {
          record('slot already filled');
          current = step.next ?? following(step);
          break;
        }
        if (arrivedViaFailure) delete state.slots[step.slot];
        const slot = playbook.slots.find((candidate) => candidate.name === step.slot);
        const prompt = renderTemplate(step.prompt ?? slot?.prompt ?? `请提供${step.slot}`, scopes(), people);
        outcome.replies.push({ text: prompt, quickReplies: offer(step.quick_replies) });
        state.attempts[step.id] ??= 0;
        state.waitingAt = step.id;
        record(`asks for ${step.slot}`);
        outcome.status = 'waiting';
        outcome.state = state;
        return outcome;
      }
      case 'answer': {
        outcome.replies.push({
          text: renderTemplate(step.text, scopes(), people),
          quickReplies: offer(step.quick_replies),
        });
        if (step.emit)
          outcome.events.push({
            event: step.emit.event,
            data: renderValue(step.emit.data, scopes()) as Record<string, unknown>,
          });
        record(step.emit ? `emits ${step.emit.event}` : undefined);
        if (step.end) {
          // The run ends, but its quick replies stay clickable on the next turn.
          outcome.status = 'done';
          outcome.state = state.offered.length > 0 ? { ...state, waitingAt: null } : null;
          return outcome;
        }
        current = following(step);
        break;
      }
      case 'handoff': {
        record(step.reason);
        return handOver(
          step.reason,
          renderTemplate(step.text, scopes(), people),
          renderTemplate(step.note ?? step.reason, scopes(), people),
        );
      }
    }
  }
  outcome.state = state.offered.length > 0 ? state : null;
  return outcome;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}
