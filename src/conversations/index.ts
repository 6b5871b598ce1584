export { ConversationService, validateMessageText } from './conversation-service.js';
export type { ConversationServiceDeps, RoutedTurn, TurnHandoffHook, NewConversation, PostMessageInput, PostMessageResult } from './conversation-service.js';
export type { Conversation, Message, TurnTraceView } from './mappers.js';
export { toConversation, toMessage } from './mappers.js';
export { canTransition } from './status.js';
