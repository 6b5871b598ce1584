/**
 * The brand-voice and compliance guard: a tenant's style guide (style.yaml) checked on every
 * outgoing message, with deterministic fixes, and per-domain compliance rules that block.
 */
export {
  styleFileSchema,
  stylePhraseSchema,
  MESSAGE_KINDS,
  type MessageKind,
  type StyleFile,
  type StylePhrase,
} from './style-guide-schema.js';
export { compileStyleGuide, DEFAULT_FAMILIAR_EN, type CompiledStyleGuide } from './compile-style-guide.js';
export {
  applyFixes,
  checkStyle,
  describeRules,
  COMPLIANCE_RULE_NAMES,
  STYLE_RULE_NAMES,
  type StyleCheck,
  type StyleContext,
  type StyleFix,
  type StyleRuleName,
  type StyleViolation,
} from './check-style.js';
export { foldText, type FoldedText } from './fold-text.js';
export { styleText, ruleNames } from './locales.js';
export {
  consistencyByDay,
  recordStyleCheck,
  type ConsistencyDay,
  type StyleCheckOutcome,
  type StyleCheckRecord,
  type StyleChecksDatabase,
} from './style-checks.js';
export {
  checkAgentText,
  styleAgentMessage,
  styleCheckView,
  type AgentStyleVerdict,
  type StyleCheckView,
  type StyleOverride,
  type StyleViolationView,
} from './agent-style.js';
