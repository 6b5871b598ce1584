import { z } from 'zod';
import { resolveLocale } from '../i18n/index.js';
import { toTraditionalChinese } from '../text/script.js';
import { campaignSchema } from './campaigns.js';

/**
 * Proactive service rules (docs/personal.md), read from the pack's `outreach:` section of
 * tenant.yaml (kept in tenants.settings). Pure: the decisions here (quiet hours in the contact's
 * time zone, frequency caps, consent, expiry) take every input as an argument, so they are tested
 * without a clock or a database.
 */

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const capSchema = z
  .object({
    per_day: z.number().int().min(0).max(1000).optional(),
    per_week: z.number().int().min(0).max(5000).optional(),
  })
  .strict();

/** A message in each language the pack writes; a missing one falls back (zh-TW from zh-CN, then any). */
const localizedText = z.union([
  z.string().min(1).max(2000),
  z.record(z.string().min(2).max(20), z.string().min(1).max(2000)),
]);

export const outreachRuleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
    event: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'like order.delayed'),
    template: localizedText,
    /** Where the message may go, in order of preference. */
    channels: z
      .array(z.enum(['widget', 'queue', 'webhook', 'sms']))
      .min(1)
      .default(['widget', 'queue', 'webhook']),
    /** Quiet hours hold back pushes (webhook) at night in the contact's time zone; urgent rules set false. */
    quiet_hours: z.boolean().default(true),
    /** Per contact, for this rule (the tenant's global cap applies as well). */
    cap: capSchema.optional(),
    /** `proactive` (service notices: sent unless the contact opted out) or `marketing` (needs an explicit yes). */
    consent: z.enum(['proactive', 'marketing']).default('proactive'),
    /** A queued message older than this is dropped, never shown late. */
    expires_after_hours: z
      .number()
      .positive()
      .max(24 * 90)
      .default(72),
  })
  .strict();

export const outreachSettingsSchema = z
  .object({
    quiet_hours: z.object({ start: clock, end: clock }).strict().default({ start: '21:00', end: '09:00' }),
    /** Per contact, over every rule. */
    cap: capSchema.default({ per_day: 3, per_week: 10 }),
    /** Outbound webhook for contacts without a widget (SMS/app push on the business's side). */
    webhook: z.string().url().max(2000).optional(),
    /**
     * The business's SMS gateway (rules with channel `sms`): kefu POSTs each message as JSON, signed
     * with HMAC-SHA256 over `<timestamp>.<body>` with `secret`, retried with backoff, never twice.
     */
    sms: z
      .object({
        url: z.string().url().max(2000),
        secret: z.string().min(16).max(200),
        sender: z.string().min(1).max(40).optional(),
        attempts: z.number().int().min(1).max(10).default(5),
        backoff_ms: z.number().int().min(10).max(600_000).default(2_000),
      })
      .strict()
      .optional(),
    rules: z.array(outreachRuleSchema).default([]),
    /** Messages to an audience, by API or on a schedule, written and gated by the rules of their event. */
    campaigns: z.array(campaignSchema).default([]),
  })
  .strict()
  .superRefine((settings, context) => {
    const names = new Set<string>();
    for (const [index, campaign] of settings.campaigns.entries()) {
      if (names.has(campaign.name))
        context.addIssue({
          code: 'custom',
          path: ['campaigns', index, 'name'],
          message: 'a campaign name is used twice',
        });
      names.add(campaign.name);
      if (!settings.rules.some((rule) => rule.event === campaign.event))
        context.addIssue({
          code: 'custom',
          path: ['campaigns', index, 'event'],
          message: `no outreach rule handles "${campaign.event}": add a rule with that event to write the message`,
        });
    }
  });

export type OutreachRule = z.output<typeof outreachRuleSchema>;
export type OutreachSettings = z.output<typeof outreachSettingsSchema>;

/** Reads the `outreach` setting; a malformed section reads as "no rules" with the problem. */
export function readOutreachSettings(raw: unknown): { settings: OutreachSettings; problem: string | null } {
  const parsed = outreachSettingsSchema.safeParse(raw ?? {});
  if (parsed.success) return { settings: parsed.data, problem: null };
  return {
    settings: outreachSettingsSchema.parse({}),
    problem: parsed.error.issues.map((issue) => `outreach.${issue.path.join('.')}: ${issue.message}`).join('; '),
  };
}

/** Minutes since local midnight of `at` in `timeZone`. */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((part) => part.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `at` falls in the quiet window [start, end) in `timeZone` (a window may cross midnight). */
export function inQuietHours(at: Date, timeZone: string, window: { start: string; end: string }): boolean {
  const now = localMinutes(at, timeZone);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

export interface CapState {
  /** Deliveries (sent, queued or pushed) to this contact in the last 24 hours / 7 days. */
  day: number;
  week: number;
  /** The same, for this rule only. */
  ruleDay: number;
  ruleWeek: number;
}

/** The cap that is already reached, or null. */
export function capReached(state: CapState, global: OutreachSettings['cap'], rule: OutreachRule['cap']): string | null {
  if (global.per_day !== undefined && state.day >= global.per_day) return 'cap_day';
  if (global.per_week !== undefined && state.week >= global.per_week) return 'cap_week';
  if (rule?.per_day !== undefined && state.ruleDay >= rule.per_day) return 'rule_cap_day';
  if (rule?.per_week !== undefined && state.ruleWeek >= rule.per_week) return 'rule_cap_week';
  return null;
}

export type SkipReason = 'consent' | 'expired' | 'cap_day' | 'cap_week' | 'rule_cap_day' | 'rule_cap_week';

/**
 * Whether one event may become a message for this contact now: consent first, then expiry,
 * then the caps. Returns the reason it may not, or null.
 */
export function gate(input: {
  rule: OutreachRule;
  settings: OutreachSettings;
  consent: Partial<Record<string, boolean>>;
  caps: CapState;
  eventExpiresAt: Date | null;
  now: Date;
}): SkipReason | null {
  const { rule, consent } = input;
  if (consent.proactive === false) return 'consent';
  if (rule.consent === 'marketing' && consent.marketing !== true) return 'consent';
  if (input.eventExpiresAt && input.eventExpiresAt.getTime() <= input.now.getTime()) return 'expired';
  return capReached(input.caps, input.settings.cap, rule.cap) as SkipReason | null;
}

/** The rule's template in the contact's language (zh-TW/zh-HK converted from zh-CN when not written). */
export function templateFor(template: OutreachRule['template'], locale: string): string {
  if (typeof template === 'string') return template;
  const wanted = resolveLocale(locale);
  const entries = Object.entries(template);
  const exact = entries.find(([key]) => resolveLocale(key) === wanted && key.toLowerCase() !== 'zh');
  if (exact) return exact[1];
  if (wanted === 'zh-TW' || wanted === 'zh-HK') {
    const simplified = entries.find(([key]) => resolveLocale(key) === 'zh-CN');
    if (simplified) return toTraditionalChinese(simplified[1], wanted === 'zh-HK' ? 'hk' : 'tw');
  }
  const zh = entries.find(([key]) => resolveLocale(key) === 'zh-CN');
  return (
    (wanted === 'en' ? undefined : zh?.[1]) ??
    entries.find(([key]) => resolveLocale(key) === 'en')?.[1] ??
    entries[0]![1]
  );
}
