export { playbookSchema, validatePlaybook } from './playbook-schema.js';
export type { Playbook, PlaybookStep, PlaybookSlot, PlaybookProblem, QuickReply } from './playbook-schema.js';
export { runPlaybook, startState } from './run-playbook.js';
export type { PlaybookRunState, PlaybookOutcome, PlaybookContext, PlaybookReply } from './run-playbook.js';
export { createDatabaseConnector } from './connector.js';
export type { Connector, ConnectorQuery } from './connector.js';
export { fillSlots } from './slot-filling.js';
export { renderTemplate, renderValue, evaluateCondition } from './template.js';
export { matchQuickReply } from './quick-replies.js';
