export { createHandoffService } from './handoff-service.js';
export type { HandoffService, HandoffServiceDeps } from './handoff-service.js';
export { HandoffQueue, RESOLUTION_CODES } from './handoff-queue.js';
export type { ResolutionCode } from './handoff-queue.js';
export { HandoffViews } from './handoff-views.js';
export type { HandoffView, WidgetHandoffState } from './handoff-views.js';
export { DraftService, toDraftView } from './draft-service.js';
export type { DraftDecision, DraftView } from './draft-service.js';
export { AgentMessages } from './agent-messages.js';
export { AutoAssigner } from './auto-assigner.js';
export { PresenceService } from './presence-service.js';
export type { ReadMarks } from './presence-service.js';
export { SlaChecker } from './sla-checker.js';
export { QueueStatistics } from './queue-statistics.js';
export type { QueueStats } from './queue-statistics.js';
export { HandoffSettingsCache } from './settings-cache.js';
export type { RoutedTurn } from '../conversations/index.js';
export {
  activeCounts,
  createAgent,
  getAgent,
  listAgents,
  loginAgent,
  revokeAgentSession,
  touchAgent,
  updateAgent,
  verifyAgentToken,
  checkAgentToken,
  type AgentTokenCheck,
} from './agents.js';
export type { Agent, AgentPrincipal, NewAgent } from './agents.js';
export { buildContextPanel, loadContextPanel } from './context-panel.js';
export type { ContextPanel } from './context-panel.js';
export { editDistance } from './edit-distance.js';
export { generatePassword, hashPassword, verifyPassword } from './password.js';
export { agentFitsQueue, handoffSettingsSchema, pickQueue, resolveHandoffSettings } from './handoff-settings.js';
export type { HandoffSettings, QueueSettings } from './handoff-settings.js';
export type { HandoffDatabase, Presence } from './handoff-tables.js';
export { ensureDemoAgent } from './demo-agent.js';
export { linkWidgetToHandoff } from './widget-link.js';
export { startAssistDrafter } from './assist-drafter.js';
export { recordCsat } from './csat.js';
export type { CsatRating } from './csat.js';
