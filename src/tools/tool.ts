/**
 * A built-in tool a playbook `compute` step can call by name (`tool: instalment.quote`).
 * Input and output are plain JSON-like records with snake_case keys, the same casing as the
 * pack's data tables, so templates read `{{quote.total_fee}}` next to `{{order.promised_delivery_date}}`.
 * Tools are pure and synchronous; bad input throws a RangeError whose message can be logged.
 */
export interface Tool {
  name: string;
  description: string;
  run(input: Readonly<Record<string, unknown>>): Record<string, unknown>;
}

/**
 * An input value as text: '' when missing, a string as it is, a number or boolean as String writes
 * it, and a list or record as JSON (never '[object Object]').
 */
export function inputText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}
