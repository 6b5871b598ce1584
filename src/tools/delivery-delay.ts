import { inputText, type Tool } from './tool.js';

/** One tracking event, as in a pack's `data/logistics.csv`. */
export interface DeliveryEvent {
  /** ISO 8601 with offset, e.g. 2026-11-18T22:40:00+08:00; the date part is read as the tenant's local date. */
  time: string;
  location?: string;
  event: string;
}

export interface DeliveryDelayInput {
  /** Order status as the shop writes it: 待发货, 已发货, 运输中, 已签收, 已取消, 退货中. */
  status: string;
  /** YYYY-MM-DD */
  promisedDate: string;
  /** YYYY-MM-DD in the tenant's time zone. */
  today: string;
  events: readonly DeliveryEvent[];
  /** Days past the promised date from which the delay is compensated (小满优品: 2). */
  compensationAfterDays?: number;
  /** Days without any tracking update after which a parcel counts as lost (小满优品: 7). */
  lostAfterDaysWithoutUpdate?: number;
}

export type DeliveryState = 'not-shipped' | 'on-time' | 'late' | 'lost' | 'delivered' | 'cancelled' | 'returning';

export interface DeliveryDelayAssessment {
  state: DeliveryState;
  /** Whole days past the promised date: today for parcels still on the way, the signing day for delivered ones; 0 if not late. */
  daysLate: number;
  /** Days from the promised date to today; negative while it is still ahead. */
  daysUntilPromised: number;
  /** Whole days since the latest tracking event; null without events. */
  daysSinceUpdate: number | null;
  lastEvent: DeliveryEvent | null;
  /** late by at least compensationAfterDays, or lost. */
  compensationEligible: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/**
 * Compare an order's tracking against its promised delivery date (S2: "物流太慢" → look up the
 * order, see the delay, offer the fix first). The thresholds are the tenant's policy, passed in.
 */
export function assessDeliveryDelay(input: DeliveryDelayInput): DeliveryDelayAssessment {
  const compensationAfterDays = input.compensationAfterDays ?? 2;
  const lostAfterDays = input.lostAfterDaysWithoutUpdate ?? 7;
  const today = dayNumber(input.today, 'today');
  const promised = dayNumber(input.promisedDate, 'promisedDate');
  const events = [...input.events].sort((a, b) => instant(a.time) - instant(b.time));
  const lastEvent = events.at(-1) ?? null;
  const daysSinceUpdate = lastEvent ? today - dayNumber(lastEvent.time, 'event time') : null;
  const daysUntilPromised = today - promised;
  const result = (state: DeliveryState, daysLate: number): DeliveryDelayAssessment => ({
    state,
    daysLate: Math.max(0, daysLate),
    daysUntilPromised,
    daysSinceUpdate,
    lastEvent,
    compensationEligible: state === 'lost' || (state === 'late' && daysLate >= compensationAfterDays),
  });

  if (input.status === '已取消') return result('cancelled', 0);
  if (input.status === '退货中') return result('returning', 0);
  const signed = input.status === '已签收' || (lastEvent !== null && /签收|快递柜|驿站/.test(lastEvent.event));
  if (signed) return result('delivered', lastEvent ? dayNumber(lastEvent.time, 'event time') - promised : 0);
  if (input.status === '待发货' || lastEvent === null) return result('not-shipped', daysUntilPromised);
  if (daysSinceUpdate !== null && daysSinceUpdate >= lostAfterDays) return result('lost', daysUntilPromised);
  if (daysUntilPromised > 0) return result('late', daysUntilPromised);
  return result('on-time', 0);
}

/** `delivery.assess`: the playbook-facing form of assessDeliveryDelay. */
export const deliveryAssessTool: Tool = {
  name: 'delivery.assess',
  description:
    'Compare an order’s tracking events with its promised delivery date: on time, late (days), or lost; and whether the delay is compensated.',
  run(input) {
    const events = Array.isArray(input.events) ? (input.events as Record<string, unknown>[]) : [];
    const assessment = assessDeliveryDelay({
      status: inputText(input.status),
      promisedDate: inputText(input.promised_date),
      today: inputText(input.today),
      events: events.map((row) => ({
        time: inputText(row.time),
        location: inputText(row.location),
        event: inputText(row.event),
      })),
      compensationAfterDays: optionalNumber(input.compensation_after_days, 'compensation_after_days'),
      lostAfterDaysWithoutUpdate: optionalNumber(
        input.lost_after_days_without_update,
        'lost_after_days_without_update',
      ),
    });
    return {
      state: assessment.state,
      days_late: assessment.daysLate,
      days_until_promised: assessment.daysUntilPromised,
      days_since_update: assessment.daysSinceUpdate,
      last_event: assessment.lastEvent,
      compensation_eligible: assessment.compensationEligible,
    };
  },
};

function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new RangeError(`delivery.assess: ${name} must be a whole number of days, got ${inputText(value)}`);
  return number;
}

/** Days since 1970-01-01 of the date part (YYYY-MM-DD) of a date or ISO timestamp. */
function dayNumber(text: string, name: string): number {
  const match = DATE.exec(text);
  const value = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(value) || new Date(value).getUTCDate() !== Number(match[3])) {
    throw new RangeError(`delivery: ${name} must start with a YYYY-MM-DD date, got ${JSON.stringify(text)}`);
  }
  return value / 86_400_000;
}

function instant(text: string): number {
  const value = Date.parse(text);
  return Number.isNaN(value) ? dayNumber(text, 'event time') * 86_400_000 : value;
}
