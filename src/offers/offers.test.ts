import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogueSchema, eligibleOffers, inHoldout, readCatalogue } from './catalogue.js';
import { buildFunnels, type RawOfferEvent } from './funnel.js';
import { onlyEligibleConversions } from './offer-service.js';

describe('holdout', () => {
  it('is deterministic per contact and offer, and close to the share', () => {
    const ids = Array.from(
      { length: 5_000 },
      (_, index) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    );
    const first = ids.map((id) => inHoldout('flight-hotel', id, 0.2));
    expect(ids.map((id) => inHoldout('flight-hotel', id, 0.2))).toEqual(first);
    const share = first.filter(Boolean).length / ids.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.22);
    // Independent across offers: the arms of two offers are not the same people.
    const other = ids.map((id) => inHoldout('hotel-upgrade', id, 0.2));
    const both = first.filter((value, index) => value && other[index]).length / ids.length;
    expect(both).toBeGreaterThan(0.025);
    expect(both).toBeLessThan(0.055);
    expect(ids.some((id) => inHoldout('x', id, 0))).toBe(false);
  });
});

describe('catalogue', () => {
  const catalogue = catalogueSchema.parse({
    items: [
      {
        id: 'flight-hotel',
        kind: 'bundle',
        title: '机票+酒店',
        text: '顺便看看机票+酒店套餐？',
        price: 1700,
        intents: ['flight.booking'],
        eligible: ['contact.tier in [gold, vip]'],
      },
      { id: 'insurance', title: '旅行险', text: '加购旅行险', price: 30, intents: ['flight.booking', 'flight.change'] },
    ],
  });
  it('offers only in named intents, to eligible contacts, in catalogue order', () => {
    expect(eligibleOffers(catalogue, 'flight.booking', [{ contact: { tier: 'gold' } }]).map((o) => o.id)).toEqual([
      'flight-hotel',
      'insurance',
    ]);
    expect(eligibleOffers(catalogue, 'flight.booking', [{ contact: {} }]).map((o) => o.id)).toEqual(['insurance']);
    expect(eligibleOffers(catalogue, 'complaint', [{ contact: { tier: 'gold' } }])).toEqual([]);
    expect(eligibleOffers(catalogue, null, [{ contact: {} }])).toEqual([]);
  });
  it('refuses a duplicated offer id', () => {
    const read = readCatalogue({ items: [catalogue.items[1], catalogue.items[1]] });
    expect(read.problem).toContain('defined twice');
  });
});

const eventArb = fc.record({
  offerId: fc.constantFrom('a', 'b', 'c'),
  contactId: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6'),
  kind: fc.constantFrom('exposed', 'held_out', 'shown', 'clicked', 'converted') as fc.Arbitrary<RawOfferEvent['kind']>,
  arm: fc.constantFrom('treatment', 'holdout') as fc.Arbitrary<RawOfferEvent['arm']>,
  orderValueCents: fc.integer({ min: 0, max: 1_000_000 }),
});

describe('funnel report', () => {
  it('reconciles exactly with the raw events, summed by offer and by kind', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 300 }), (raw) => {
        const events = raw.map((event) => ({
          ...event,
          orderValueCents: event.kind === 'converted' ? event.orderValueCents : 0,
        }));
        const funnels = buildFunnels(events);
        const arms = funnels.flatMap((funnel) => [funnel.treatment, funnel.holdout]);
        const sum = (pick: (arm: (typeof arms)[number]) => number) => arms.reduce((total, arm) => total + pick(arm), 0);
        // Way one: the report, summed over offers and arms. Way two: the raw events, counted directly.
        expect(sum((arm) => arm.shown)).toBe(events.filter((e) => e.kind === 'shown').length);
        expect(sum((arm) => arm.clicked)).toBe(events.filter((e) => e.kind === 'clicked').length);
        expect(sum((arm) => arm.conversions)).toBe(events.filter((e) => e.kind === 'converted').length);
        expect(sum((arm) => arm.orderValueCents)).toBe(
          events.filter((e) => e.kind === 'converted').reduce((total, e) => total + e.orderValueCents, 0),
        );
        const distinct = (kinds: string[]) =>
          new Set(events.filter((e) => kinds.includes(e.kind)).map((e) => `${e.offerId}|${e.arm}|${e.contactId}`)).size;
        expect(sum((arm) => arm.eligible)).toBe(distinct(['exposed', 'held_out']));
        expect(sum((arm) => arm.convertedContacts)).toBe(distinct(['converted']));
        for (const funnel of funnels) {
          for (const arm of ['treatment', 'holdout'] as const) {
            const mine = events.filter((e) => e.offerId === funnel.offerId && e.arm === arm);
            expect(funnel[arm].shown).toBe(mine.filter((e) => e.kind === 'shown').length);
            expect(funnel[arm].shownContacts).toBeLessThanOrEqual(funnel[arm].shown);
          }
        }
        // Filtering to eligible conversions only ever removes conversions.
        const eligible = onlyEligibleConversions(events);
        expect(eligible.filter((e) => e.kind !== 'converted')).toEqual(events.filter((e) => e.kind !== 'converted'));
      }),
      { numRuns: 200 },
    );
  });

  it('measures incremental conversion and order-value uplift against the holdout', () => {
    const events: RawOfferEvent[] = [];
    for (let index = 0; index < 10; index += 1) {
      events.push({ offerId: 'b', contactId: `t${index}`, kind: 'exposed', arm: 'treatment', orderValueCents: 0 });
      events.push({ offerId: 'b', contactId: `h${index}`, kind: 'held_out', arm: 'holdout', orderValueCents: 0 });
    }
    for (const id of ['t0', 't1', 't2', 't3'])
      events.push({ offerId: 'b', contactId: id, kind: 'converted', arm: 'treatment', orderValueCents: 200_000 });
    events.push({ offerId: 'b', contactId: 'h0', kind: 'converted', arm: 'holdout', orderValueCents: 100_000 });
    const [funnel] = buildFunnels(events);
    expect(funnel!.conversionRate).toEqual({ treatment: 0.4, holdout: 0.1 });
    expect(funnel!.incrementalConversion).toBe(0.3);
    expect(funnel!.valuePerContact).toEqual({ treatment: 800, holdout: 100 });
    expect(funnel!.orderValueUplift).toBe(7);
  });
});
