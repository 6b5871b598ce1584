import type { ChatModel, TokenUsage } from '../llm/index.js';

export interface TranscriptLine {
  speaker: 'customer' | 'bot' | 'agent';
  text: string;
}

/**
 * A two-or-three sentence summary for the agent taking over, written by the configured LLM.
 * Returns null on any failure (timeout, upstream error, empty answer): the caller keeps the
 * extractive summary, so the console never waits on or breaks because of the model.
 */
export async function summarizeWithModel(
  model: ChatModel,
  transcript: readonly TranscriptLine[],
  options: { english: boolean; timeoutMs: number; onUsage?: (usage: TokenUsage) => void },
): Promise<string | null> {
  if (transcript.length === 0) return null;
  const labels = options.english
    ? { customer: 'Customer', bot: 'Bot', agent: 'Agent' }
    : { customer: '客户', bot: '机器人', agent: '客服' };
  const lines = transcript
    .slice(-20)
    .map((line) => `${labels[line.speaker]}: ${[...line.text].slice(0, 400).join('')}`);
  const instruction = options.english
    ? 'Summarise this customer-service conversation for the human agent who takes it over, in at most three short sentences: what the customer wants, what was already said or tried, and anything urgent. Use only what the transcript says.'
    : '请为接手这段对话的人工客服写一段摘要，最多三句话：客户想要什么、已经说过或尝试过什么、有没有紧急情况。只根据对话内容，不要编造。';
  try {
    const result = await model.generate({
      messages: [
        { role: 'system', content: instruction },
        { role: 'user', content: lines.join('\n') },
      ],
      temperature: 0,
      maxTokens: 200,
      timeoutMs: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The tokens are spent whether or not the summary is usable: the tenant's bill counts them.
    options.onUsage?.(result.usage);
    const text = result.text.trim();
    return text.length > 0 ? [...text].slice(0, 600).join('') : null;
  } catch {
    return null;
  }
}
