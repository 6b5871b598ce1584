import { createHash } from 'node:crypto';
import { z } from 'zod';
import { evaluateCondition, type Scope } from '../playbooks/template.js';

/**
 * The offer catalogue (docs/personal.md), read from the pack's `offers:` section of tenant.yaml
 * (kept in tenants.settings): products and bundles with prices, the intents after which each may
 * be offered, eligibility conditions on the profile and history (the playbook condition language:
 * `contact.tier in [gold, vip]`, `contact.conversations >= 2`), a cap and a holdout share.
 */

const localized = z.union([
  z.string().min(1).max(1000),
  z.record(z.string().min(2).max(20), z.string().min(1).max(1000)),
]);

export const offerSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
    kind: z.enum(['product', 'bundle']).default('product'),
    title: localized,
    /** What the customer reads after the answer; a template (`{{contact.name | "您"}}`, `{{offer.price}}`). */
    text: localized,
    /** The quick reply that opens it (its click). */
    cta: localized.optional(),
    products: z
      .array(
        z
          .object({ sku: z.string().min(1).max(100), name: z.string().max(200).optional(), price: z.number().min(0) })
          .strict(),
      )
      .default([]),
    /** The offer's price in yuan (a bundle's is below the sum of its products'). */
    price: z.number().min(0),
    intents: z.array(z.string().min(1).max(100)).min(1),
    /** Every condition must hold. */
    eligible: z.array(z.string().min(1).max(300)).default([]),
    cap: z
      .object({ per_week: z.number().int().min(0).max(100).default(1) })
      .strict()
      .default({ per_week: 1 }),
    /** Share of eligible contacts that never see it (overrides the catalogue's). */
    holdout: z.number().min(0).max(0.9).optional(),
  })
  .strict();

export const catalogueSchema = z
  .object({
    holdout: z.number().min(0).max(0.9).default(0.1),
    items: z.array(offerSchema).default([]),
  })
  .strict();

export type Offer = z.output<typeof offerSchema>;
export type Catalogue = z.output<typeof catalogueSchema>;

export function readCatalogue(raw: unknown): { catalogue: Catalogue; problem: string | null } {
  const parsed = catalogueSchema.safeParse(raw ?? {});
  if (parsed.success) {
    const ids = new Set<string>();
    for (const item of parsed.data.items) {
      if (ids.has(item.id))
        return { catalogue: catalogueSchema.parse({}), problem: `offers: "${item.id}" is defined twice` };
      ids.add(item.id);
    }
    return { catalogue: parsed.data, problem: null };
  }
  return {
    catalogue: catalogueSchema.parse({}),
    problem: parsed.error.issues.map((issue) => `offers.${issue.path.join('.')}: ${issue.message}`).join('; '),
  };
}

/** Offers that may follow an answer in `intent` for a contact, in catalogue order. */
export function eligibleOffers(catalogue: Catalogue, intent: string | null, scopes: readonly Scope[]): Offer[] {
  if (!intent) return [];
  return catalogue.items.filter(
    (offer) =>
      offer.intents.includes(intent) && offer.eligible.every((condition) => evaluateCondition(condition, scopes)),
  );
}

/**
 * Whether a contact is in an offer's holdout: a hash of (offer, contact) against the share, so the
 * same contact is always in the same arm of the same offer, and arms of different offers are
 * independent.
 */
export function inHoldout(offerId: string, contactId: string, share: number): boolean {
  if (share <= 0) return false;
  const digest = createHash('sha256').update(`${offerId}\u0000${contactId}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000 < share;
}

export function holdoutShare(catalogue: Catalogue, offer: Offer): number {
  return offer.holdout ?? catalogue.holdout;
}
