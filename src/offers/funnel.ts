import type { OfferEventKind } from '../contacts/contact-tables.js';

/**
 * The offer funnel from raw events (pure, so the report and its property test share it). Per
 * offer and arm: eligible contacts (exposed or held out), contacts shown, clicked and converted,
 * conversions and their order value. Incremental conversion is the treatment arm's conversion
 * rate per eligible contact minus the holdout's; order-value uplift likewise per eligible contact.
 */

export interface RawOfferEvent {
  offerId: string;
  contactId: string;
  kind: OfferEventKind;
  arm: 'treatment' | 'holdout';
  orderValueCents: number;
}

export interface ArmStats {
  eligible: number;
  shown: number;
  shownContacts: number;
  clicked: number;
  clickedContacts: number;
  conversions: number;
  convertedContacts: number;
  orderValueCents: number;
}

export interface OfferFunnel {
  offerId: string;
  treatment: ArmStats;
  holdout: ArmStats;
  /** Converted contacts per eligible contact. */
  conversionRate: { treatment: number; holdout: number };
  /** Treatment rate − holdout rate (null without a holdout). */
  incrementalConversion: number | null;
  /** Order value per eligible contact, yuan. */
  valuePerContact: { treatment: number; holdout: number };
  /** Treatment value per contact ÷ holdout value per contact − 1 (null when the holdout bought nothing). */
  orderValueUplift: number | null;
}

const emptyArm = (): ArmStats => ({
  eligible: 0,
  shown: 0,
  shownContacts: 0,
  clicked: 0,
  clickedContacts: 0,
  conversions: 0,
  convertedContacts: 0,
  orderValueCents: 0,
});

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;

export function buildFunnels(events: Iterable<RawOfferEvent>): OfferFunnel[] {
  const byOffer = new Map<
    string,
    Record<
      'treatment' | 'holdout',
      { stats: ArmStats; sets: Record<'eligible' | 'shown' | 'clicked' | 'converted', Set<string>> }
    >
  >();
  const arms = () => ({
    stats: emptyArm(),
    sets: {
      eligible: new Set<string>(),
      shown: new Set<string>(),
      clicked: new Set<string>(),
      converted: new Set<string>(),
    },
  });
  for (const event of events) {
    let entry = byOffer.get(event.offerId);
    if (!entry) {
      entry = { treatment: arms(), holdout: arms() };
      byOffer.set(event.offerId, entry);
    }
    const arm = entry[event.arm];
    switch (event.kind) {
      case 'exposed':
      case 'held_out':
        arm.sets.eligible.add(event.contactId);
        break;
      case 'shown':
        arm.stats.shown += 1;
        arm.sets.shown.add(event.contactId);
        break;
      case 'clicked':
        arm.stats.clicked += 1;
        arm.sets.clicked.add(event.contactId);
        break;
      case 'converted':
        arm.stats.conversions += 1;
        arm.stats.orderValueCents += event.orderValueCents;
        arm.sets.converted.add(event.contactId);
        break;
    }
  }
  return [...byOffer.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([offerId, entry]) => {
      const finish = (arm: (typeof entry)['treatment']): ArmStats => ({
        ...arm.stats,
        eligible: arm.sets.eligible.size,
        shownContacts: arm.sets.shown.size,
        clickedContacts: arm.sets.clicked.size,
        convertedContacts: arm.sets.converted.size,
      });
      const treatment = finish(entry.treatment);
      const holdout = finish(entry.holdout);
      const rate = {
        treatment: ratio(treatment.convertedContacts, treatment.eligible),
        holdout: ratio(holdout.convertedContacts, holdout.eligible),
      };
      const value = {
        treatment: ratio(treatment.orderValueCents, treatment.eligible) / 100,
        holdout: ratio(holdout.orderValueCents, holdout.eligible) / 100,
      };
      return {
        offerId,
        treatment,
        holdout,
        conversionRate: { treatment: round(rate.treatment), holdout: round(rate.holdout) },
        incrementalConversion: holdout.eligible === 0 ? null : round(rate.treatment - rate.holdout),
        valuePerContact: { treatment: round(value.treatment, 2), holdout: round(value.holdout, 2) },
        orderValueUplift: value.holdout === 0 ? null : round(value.treatment / value.holdout - 1),
      };
    });
}

/** The funnel of an offer without any event yet (a catalogue entry nobody was eligible for). */
export function emptyFunnel(offerId: string): OfferFunnel {
  return {
    offerId,
    treatment: emptyArm(),
    holdout: emptyArm(),
    conversionRate: { treatment: 0, holdout: 0 },
    incrementalConversion: null,
    valuePerContact: { treatment: 0, holdout: 0 },
    orderValueUplift: null,
  };
}

/** The report as CSV (one row per offer and arm). */
export function funnelsToCsvRows(funnels: readonly OfferFunnel[]): string[][] {
  const rows = [
    [
      'offer',
      'arm',
      'eligible',
      'shown',
      'shown_contacts',
      'clicked',
      'clicked_contacts',
      'conversions',
      'converted_contacts',
      'order_value_yuan',
      'conversion_rate',
    ],
  ];
  for (const funnel of funnels) {
    for (const arm of ['treatment', 'holdout'] as const) {
      const stats = funnel[arm];
      rows.push([
        funnel.offerId,
        arm,
        ...[
          stats.eligible,
          stats.shown,
          stats.shownContacts,
          stats.clicked,
          stats.clickedContacts,
          stats.conversions,
          stats.convertedContacts,
        ].map(String),
        (stats.orderValueCents / 100).toFixed(2),
        String(funnel.conversionRate[arm]),
      ]);
    }
  }
  return rows;
}
