/** The kinds of personal data kefu recognises (the `type` of an eval row's span). */
export const PiiTypes = [
  'phone',
  'landline',
  'id_card',
  'bank_card',
  'email',
  'passport',
  'hk_id',
  'tw_id',
  'address',
  'name',
] as const;
export type PiiType = (typeof PiiTypes)[number];

export function isPiiType(value: unknown): value is PiiType {
  return typeof value === 'string' && (PiiTypes as readonly string[]).includes(value);
}

/** One recognised item: UTF-16 offsets into the original text, `end` exclusive. */
export interface PiiSpan {
  start: number;
  end: number;
  type: PiiType;
  /** The original text of the span. */
  value: string;
  /** How sure the recogniser is (checksum-backed shapes are near 1). */
  score: number;
}
