// The LLM port. Modelled on the AI SDK's LanguageModel spec (provider, model id, generate, stream),
// trimmed to what kefu uses. Adapters: openai-compatible-model.ts, local-gguf-model.ts.

/** One message in the model's conversation. `tool` messages answer the call named by `toolCallId`. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** On `tool` messages: the id of the call this result answers. */
  toolCallId?: string;
  /** On `assistant` messages: the tool calls the model made in that turn. */
  toolCalls?: ToolCall[];
}

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A tool call as the model sent it. `arguments` is the raw JSON text, unparsed and unvalidated. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  temperature?: number;
  maxTokens?: number;
  /** Cancels the call (and any retry wait). A `TimeoutError` reason is reported as `CS_LLM_TIMEOUT`. */
  signal?: AbortSignal;
  /** Per-attempt time limit; overrides the adapter's default. For `stream` it is the idle limit between chunks. */
  timeoutMs?: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: TokenUsage;
  /** The model the server says answered (may differ from the configured id, e.g. a dated snapshot). */
  model: string;
  latencyMs: number;
}

/** Stream parts, noun first: text arrives as deltas, tool calls whole, then exactly one `finish`. */
export type ChatStreamPart =
  | { type: 'text-delta'; delta: string }
  | { type: 'tool-call'; toolCall: ToolCall }
  | { type: 'finish'; result: ChatResult };

/** The LLM port: a provider and model id, one-shot `generate` and incremental `stream`. */
export interface ChatModel {
  readonly provider: string;
  readonly modelId: string;
  generate(request: ChatRequest): Promise<ChatResult>;
  stream(request: ChatRequest): AsyncIterable<ChatStreamPart>;
}
