import { CronExpressionParser } from 'cron-parser';
import { isCronExpression } from '../jobs/cron.js';
import { z } from 'zod';

/**
 * Campaigns (docs/personal.md, "Campaigns"): a message to an audience chosen by profile fields
 * (tag, tier, typed custom attributes), triggered through the API or on a cron schedule in the
 * tenant's time zone. A campaign names an event type; the outreach rules for that event write the
 * message and apply the same consent, expiry, caps, quiet hours and channels as any event, and
 * each run is an audience event (outreach_events, external id `campaign:<name>:<run>`), so its
 * deliveries are attributed to it and a run happens once even when several nodes ask.
 */

export const campaignSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'use lower-case letters, digits, dots, hyphens'),
    /** The event type whose outreach rules write and gate the message. */
    event: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'like campaign.winter_sale'),
    audience: z
      .object({
        tag: z.string().min(1).max(60).optional(),
        tier: z.string().min(1).max(40).optional(),
        attributes: z.record(z.string().max(64), z.union([z.string().max(200), z.number(), z.boolean()])).optional(),
      })
      .strict()
      .refine(
        (audience) => audience.tag !== undefined || audience.tier !== undefined || audience.attributes !== undefined,
        'name at least one of tag, tier or attributes (a campaign never goes to everyone by accident)',
      ),
    /** Cron (5 or 6 fields) in the tenant's time zone; without it the campaign runs only through the API. */
    schedule: z.string().min(1).max(100).refine(isCronExpression, 'not a cron expression').optional(),
    /** Fields the template reads as `event.*`. */
    payload: z.record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean()])).default({}),
    enabled: z.boolean().default(true),
  })
  .strict();

export type Campaign = z.output<typeof campaignSchema>;

/** The run key of a campaign run: a scheduled occurrence (ISO time) or the API caller's id. */
export function campaignEventId(name: string, run: string): string {
  return `campaign:${name}:${run}`;
}

/**
 * The scheduled occurrence of `schedule` that is due at `now`: the latest one at or before `now`,
 * if it is no older than `windowMs` (a node that was down longer skips the missed run rather than
 * sending a stale campaign late). Null when none is due.
 */
export function dueOccurrence(schedule: string, timeZone: string, now: Date, windowMs: number): Date | null {
  // prev() is strictly before currentDate: a second later makes an occurrence at exactly `now` count.
  const previous = CronExpressionParser.parse(schedule, { currentDate: new Date(now.getTime() + 1000), tz: timeZone })
    .prev()
    .toDate();
  return now.getTime() - previous.getTime() <= windowMs && previous.getTime() <= now.getTime() ? previous : null;
}

/** The next occurrence after `now` (for the campaign list), or null without a schedule. */
export function nextOccurrence(schedule: string | undefined, timeZone: string, now: Date): Date | null {
  if (!schedule) return null;
  return CronExpressionParser.parse(schedule, { currentDate: now, tz: timeZone }).next().toDate();
}
