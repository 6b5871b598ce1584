// The LLM tier as a library: the ChatModel port, its adapters, and grounded answering.
// See docs/llm.md.

/** The port: messages + tools → text / tool calls, streaming, token usage. */
export type {
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStreamPart,
  FinishReason,
  TokenUsage,
  ToolCall,
  ToolDefinition,
} from './chat-model.js';

/** Typed failures of model calls (`CS_LLM_*`), with `isRetryable`. */
export { LlmCallError, LlmErrorCodes, isLlmCallError, isRetryableStatus } from './llm-call-error.js';
export type { LlmCallErrorOptions, LlmErrorCode } from './llm-call-error.js';

/** Any OpenAI-compatible `/chat/completions` endpoint (cloud or local server). */
export { createOpenAiCompatibleModel, parseRetryAfter } from './openai-compatible-model.js';
export type { OpenAiCompatibleModelOptions } from './openai-compatible-model.js';

/** A GGUF model in-process through the optional node-llama-cpp package. */
export { createLocalGgufModel } from './local-gguf-model.js';
export type { LocalChatModel, LocalGgufModelOptions } from './local-gguf-model.js';

/** Grounded answering: the system prompt, the bounded tool loop with citations, leak detection. */
export { buildSystemPrompt, prefersTraditionalChinese } from './build-system-prompt.js';
export type { SystemPromptOptions, SystemPromptStyle } from './build-system-prompt.js';
export { answerWithPassages, extractCitations, formatPassages } from './answer-with-passages.js';
export type {
  AnswerStopReason,
  AnswerWithPassagesOptions,
  ExecuteTool,
  GroundedAnswer,
  Passage,
  ToolCallRecord,
  ToolExecutionContext,
} from './answer-with-passages.js';
export { detectPromptLeak, measurePromptOverlap } from './detect-prompt-leak.js';
export type { PromptLeakOptions, PromptOverlap } from './detect-prompt-leak.js';
