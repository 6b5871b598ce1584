export {
  quoteInstalment,
  quoteInstalmentOptions,
  formatFen,
  yuanToFen,
  MAX_PRINCIPAL_FEN,
  MAX_PERIODS,
  MAX_FEE_RATE_PER_PERIOD,
} from './instalment.js';
export type {
  InstalmentMethod,
  InstalmentQuoteInput,
  InstalmentPeriod,
  InstalmentQuote,
  FeeTableRow,
} from './instalment.js';
export { instalmentQuoteTool } from './instalment-quote-tool.js';
export { assessDeliveryDelay, deliveryAssessTool } from './delivery-delay.js';
export type { DeliveryEvent, DeliveryDelayInput, DeliveryDelayAssessment, DeliveryState } from './delivery-delay.js';
export type { Tool } from './tool.js';

import { deliveryAssessTool } from './delivery-delay.js';
import { instalmentQuoteTool } from './instalment-quote-tool.js';
import type { Tool } from './tool.js';

/** The tools every tenant's playbooks can call, by name. */
export const builtinTools: ReadonlyMap<string, Tool> = new Map(
  [instalmentQuoteTool, deliveryAssessTool].map((tool) => [tool.name, tool]),
);
