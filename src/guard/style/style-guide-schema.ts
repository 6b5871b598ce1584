import { z } from 'zod';
import { styleGuideSchema as storedStyleGuideSchema } from '../../tenancy/tenant-settings.js';

function isRegularExpression(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

const regularExpression = z
  .string()
  .min(1)
  .max(500)
  .refine(isRegularExpression, 'not a valid regular expression (JavaScript syntax, Unicode mode)');

/** Which messages a rule applies to: the bot's own, an LLM answer, a playbook's, or an agent's. */
export const MESSAGE_KINDS = ['bot', 'llm', 'playbook', 'template', 'agent'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * A forbidden phrase (or regular expression) with the wording to use instead. Without a
 * replacement the phrase cannot be fixed mechanically: the reply is rewritten or goes to a person.
 * `except` lists longer phrases that contain it and are fine (没办法 is forbidden, 您没办法登录 is
 * the customer's own problem, described).
 */
export const stylePhraseSchema = z
  .object({
    phrase: z.string().min(1).max(200).optional(),
    pattern: regularExpression.optional(),
    replacement: z.string().max(500).optional(),
    except: z.array(z.string().min(1).max(200)).default([]),
    /** Why the phrase is banned, for the agent who sees the violation. */
    note: z.string().max(300).optional(),
  })
  .strict()
  .refine((value) => (value.phrase === undefined) !== (value.pattern === undefined), {
    message: 'give exactly one of phrase or pattern',
  });

/** A competitor: never named in a reply (its name, its other names), except inside the listed phrases. */
export const competitorSchema = z.union([
  z.string().min(1).max(100),
  z
    .object({
      name: z.string().min(1).max(100),
      aliases: z.array(z.string().min(1).max(100)).default([]),
      except: z.array(z.string().min(1).max(200)).default([]),
    })
    .strict(),
]);

const localisedText = z
  .object({ zh: z.string().min(1).max(300).optional(), en: z.string().min(1).max(300).optional() })
  .strict();

/** A required opening or sign-off: where it applies, the wordings that count, and what the fixer adds. */
const requiredPhraseSchema = z
  .object({
    required: z.boolean().default(true),
    kinds: z.array(z.enum(MESSAGE_KINDS)).default([...MESSAGE_KINDS]),
    accept: z.array(z.string().min(1).max(100)).min(1),
    text: localisedText.default({}),
  })
  .strict();

/**
 * `style.yaml`: a tenant's brand style guide. The first five fields are the original format and
 * keep their meaning (`forbidden` phrases, `replacements` applied as fixes); the rest are optional,
 * so every older file still loads.
 */
export const styleFileSchema = storedStyleGuideSchema.extend({
  /** How the customer is addressed: 您 in Chinese (the default), and English forms too familiar for the brand. */
  address: z
    .object({
      zh: z.enum(['您', 'any']).default('您'),
      en_familiar: z.array(z.string().min(1).max(40)).optional(),
    })
    .strict()
    .optional(),
  /** Forbidden phrases with their replacements, exceptions and patterns. */
  phrases: z.array(stylePhraseSchema).default([]),
  competitors: z.array(competitorSchema).default([]),
  /** The opening of the first reply in a conversation. */
  greeting: requiredPhraseSchema.optional(),
  /** The sign-off of a closing message (the customer says goodbye, or the agent closes). */
  closing: requiredPhraseSchema.optional(),
  emoji: z
    .object({
      policy: z.enum(['none', 'allowed', 'any']).default('none'),
      allowed: z.array(z.string().min(1).max(16)).default([]),
      max: z.number().int().min(0).max(50).optional(),
    })
    .strict()
    .optional(),
  /** Longest reply: characters for Chinese (spaces not counted), words for English. */
  length: z
    .object({
      max_chars_zh: z.number().int().min(10).max(10_000).optional(),
      max_words_en: z.number().int().min(5).max(5_000).optional(),
    })
    .strict()
    .optional(),
  /** Compliance rules of the tenant's own, on top of its domain's (finance, medical). */
  compliance: z
    .object({
      patterns: z
        .array(z.object({ pattern: regularExpression, reason: z.string().min(1).max(300) }).strict())
        .default([]),
      /** Built-in domain rules to switch off, by name (promised_returns, account_data, diagnosis). */
      disable: z.array(z.enum(['promised_returns', 'account_data', 'diagnosis'])).default([]),
    })
    .strict()
    .optional(),
});

export type StyleFile = z.output<typeof styleFileSchema>;
export type StylePhrase = z.output<typeof stylePhraseSchema>;
