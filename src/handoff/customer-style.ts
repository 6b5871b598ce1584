import { applyStyleGuide } from '../engine/style-guard.js';
import type { TenantRuntimeCache } from '../engine/tenant-runtime.js';
import { ErrorCodes, KefuError } from '../errors/index.js';

/**
 * The tenant's style guide on what an agent sends the customer: replacements applied, a forbidden
 * phrase that survives them refused with 422. Call outside transactions (it may load the runtime).
 */
export async function styleForCustomer(runtimes: TenantRuntimeCache, tenantId: string, text: string): Promise<string> {
  const runtime = await runtimes.get(tenantId);
  const outcome = applyStyleGuide(text, runtime.style, {
    kind: 'agent',
    domain: runtime.domain,
    readerLocale: runtime.locale,
  });
  if (outcome.violations.length > 0) {
    throw new KefuError(
      ErrorCodes.styleViolation,
      `the message uses phrases the style guide forbids: ${outcome.violations.join('、')}`,
      { status: 422 },
    );
  }
  return outcome.text;
}
