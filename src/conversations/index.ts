export { ConversationService, validateMessageText } from './conversation-service.js';
export type {
  ConversationServiceDeps,
  NewConversation,
  PostMessageInput,
  PostMessageResult,
} from './conversation-service.js';
export type { RoutedTurn, TurnHandoffHook } from './turn-recorder.js';
/** The dialogue state as stored on a conversation: parse it with this wherever it is read. */
export { parseDialogueState } from './dialogue-state.js';
export type { TenantRuntimes } from './tenant-runtimes.js';
export type { Conversation, Message, TurnTraceView } from './mappers.js';
export { toConversation, toMessage } from './mappers.js';
export { canTransition } from './status.js';
export {
  conversationsById,
  lastPublicMessages,
  lockConversation,
  recentMessages,
  requireConversation,
} from './conversation-reads.js';
