import type { TenantRuntimeCache } from '../../engine/tenant-runtime.js';
import { ErrorCodes, KefuError } from '../../errors/index.js';
import type { Db } from '../../store/database.js';
import { checkStyle, type StyleCheck, type StyleViolation } from './check-style.js';
import { compileStyleGuide } from './compile-style-guide.js';

/** An agent sending a message the guide flags, on purpose: why, in the agent's words (kept in the audit log). */
export interface StyleOverride {
  reason: string;
}

export interface AgentStyleVerdict {
  /** What is sent: the deterministic fixes applied (or the text as typed, when overridden). */
  text: string;
  outcome: 'passed' | 'fixed' | 'overridden';
  rules: string[];
  override: StyleOverride | null;
  check: StyleCheck;
}

/** A violation as the console shows it (no internals: the rule's name, what is wrong, the fix). */
export interface StyleViolationView {
  rule: string;
  compliance: boolean;
  match: string;
  start: number;
  end: number;
  message: string;
  suggestion: string;
  fixable: boolean;
  suggestedText?: string;
}

export interface StyleCheckView {
  passed: boolean;
  /** A compliance rule broke: the message cannot be sent, even with a reason. */
  blocked: boolean;
  /** The text with every deterministic fix applied. */
  fixed: string;
  violations: StyleViolationView[];
  /** What the fixed text still breaks (an agent may send it anyway, with a reason, unless blocked). */
  remaining: StyleViolationView[];
}

function view(violation: StyleViolation): StyleViolationView {
  return {
    rule: violation.rule,
    compliance: violation.compliance,
    match: violation.match,
    start: violation.start,
    end: violation.end,
    message: violation.message,
    suggestion: violation.suggestion,
    fixable: violation.fix !== null,
    ...(violation.suggestedText ? { suggestedText: violation.suggestedText } : {}),
  };
}

export function styleCheckView(check: StyleCheck): StyleCheckView {
  return {
    passed: check.passed,
    blocked: check.blocked,
    fixed: check.fixed,
    violations: check.violations.map(view),
    remaining: check.remaining.map(view),
  };
}

/** Whether the agent has not yet written to the customer in this conversation (the greeting rule applies). */
async function firstAgentReply(db: Db, tenantId: string, conversationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .where('sender_kind', '=', 'agent')
    .where('visibility', '=', 'public')
    .limit(1)
    .executeTakeFirst();
  return row === undefined;
}

/** Checks what an agent is about to send, as the console shows it before the send. */
export async function checkAgentText(
  deps: { db: Db; runtimes: TenantRuntimeCache },
  tenantId: string,
  conversationId: string,
  text: string,
  options: { closing?: boolean } = {},
): Promise<StyleCheck> {
  const runtime = await deps.runtimes.get(tenantId);
  return checkStyle(text, compileStyleGuide(runtime.style), {
    kind: 'agent',
    domain: runtime.domain,
    firstReply: await firstAgentReply(deps.db, tenantId, conversationId),
    closing: options.closing ?? false,
    readerLocale: runtime.locale,
  });
}

/**
 * The style guide on what an agent sends the customer: deterministic fixes applied; what they
 * cannot mend is refused with 422 unless the agent overrides it with a reason; a compliance
 * breach is refused whatever the reason. Call outside transactions (it may load the runtime).
 */
export async function styleAgentMessage(
  deps: { db: Db; runtimes: TenantRuntimeCache },
  tenantId: string,
  conversationId: string,
  text: string,
  override: StyleOverride | null = null,
): Promise<AgentStyleVerdict> {
  const check = await checkAgentText(deps, tenantId, conversationId, text);
  const rules = [...new Set(check.violations.map((violation) => violation.rule))];
  if (check.passed) return { text, outcome: 'passed', rules, override: null, check };
  if (check.blocked) {
    const messages = check.violations.filter((violation) => violation.compliance).map((violation) => violation.message);
    throw new KefuError(ErrorCodes.styleViolation, [...new Set(messages)].join('; '), {
      status: 422,
      details: { rules },
    });
  }
  if (check.remaining.length === 0) return { text: check.fixed, outcome: 'fixed', rules, override: null, check };
  if (override && override.reason.trim().length > 0)
    return { text, outcome: 'overridden', rules, override: { reason: override.reason.trim() }, check };
  const messages = check.remaining.map((violation) => violation.message);
  throw new KefuError(ErrorCodes.styleViolation, [...new Set(messages)].join('; '), {
    status: 422,
    details: { rules: [...new Set(check.remaining.map((violation) => violation.rule))] },
  });
}
