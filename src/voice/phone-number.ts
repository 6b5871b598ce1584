/**
 * A phone number as kefu stores and compares it: digits only (no +, spaces, dashes or a sip:
 * scheme's host). `sip:4008208820@pbx.example.com` → `4008208820`; empty when it holds no digits.
 */
export function normalizePhone(raw: string | null | undefined): string {
  if (!raw) return '';
  let value = String(raw).trim();
  const sip = /^sips?:([^@;]+)/i.exec(value);
  if (sip) value = sip[1]!;
  if (/[a-z]/i.test(value.replace(/^tel:/i, ''))) return '';
  return value.replace(/\D/g, '').slice(0, 32);
}
