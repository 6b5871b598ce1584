// Personal data: recognise it, mask it before it is stored, logged or sent to a model, and put it
// back in what the customer sees. See docs/guard.md, "Personal data".
export { PiiTypes, isPiiType } from './types.js';
export type { PiiSpan, PiiType } from './types.js';
export { detectPii } from './detect.js';
export { PiiMasker, PiiStreamRestorer, maskDeep, maskPii, restorePii } from './mask.js';
export type { MaskResult, PiiPlaceholders, PlaceholderStyle } from './mask.js';
export { PII_READ_SCOPE, agentCanReadPii, agentScopes, messagesForAgent, setAgentPiiRead } from './agent-access.js';
