export { HandoffService, RESOLUTION_CODES, toDraftView } from './handoff-service.js';
export type { DraftView, HandoffServiceDeps, HandoffView, QueueStats, ResolutionCode } from './handoff-service.js';
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
} from './agents.js';
export type { Agent, AgentPrincipal, NewAgent } from './agents.js';
export { buildContextPanel } from './context-panel.js';
export type { ContextPanel } from './context-panel.js';
export { editDistance } from './edit-distance.js';
export { generatePassword, hashPassword, verifyPassword } from './password.js';
export { agentFitsQueue, handoffSettingsSchema, pickQueue, resolveHandoffSettings } from './handoff-settings.js';
export type { HandoffSettings, QueueSettings } from './handoff-settings.js';
export type { HandoffDatabase, Presence } from './handoff-tables.js';
export { ensureDemoAgent } from './demo-agent.js';
export { linkWidgetToHandoff } from './widget-link.js';
export { startAssistDrafter } from './assist-drafter.js';
