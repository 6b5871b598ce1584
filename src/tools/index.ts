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
