export { ConversationService, validateMessageText } from './conversation-service.js';
export type { ConversationServiceDeps, NewConversation, PostMessageInput, PostMessageResult } from './conversation-service.js';
export type { Conversation, Message, TurnTraceView } from './mappers.js';
export { canTransition } from './status.js';
