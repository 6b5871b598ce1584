import { performance } from 'node:perf_hooks';
import { answerWithPassages, detectPromptLeak, isLlmCallError } from '../../llm/index.js';
import { percent } from '../locales.js';
import { isSensitiveDomain } from '../sensitive-domains.js';
import type { TurnContext } from '../turn-context.js';
import { OUT_OF_SCOPE_FLOOR } from './out-of-scope-floor.js';
import { handOver, type Proposal, type Responder } from './responder.js';

/** A retrieval match this good means the question is about the tenant's knowledge, even when no intent fits. */
const IN_DOMAIN_MATCH = 0.35;

/** Two or more questions in one message ("运费多少？多久到？", "and also …"). */
export function isMultiPart(text: string): boolean {
  const questions = (text.match(/[?？]/g) ?? []).length;
  return questions >= 2 || /(另外|还有|以及|顺便问|and also|also,)/i.test(text);
}

/**
 * The LLM tier answers from retrieved passages, only for turns that need it (the light tier is
 * unsure but in domain, the message asks several things, or it is about a document no intent
 * covers) and only with a model configured. Its answer must cite what was retrieved and must not
 * repeat the system prompt; otherwise, or when the call fails, a person takes over.
 */
export const llmAnswer: Responder = {
  name: 'llm-answer',
  propose(context) {
    const { services, intentDefinition, understanding, gate } = context;
    if (!services.llm || intentDefinition?.route === 'human' || intentDefinition?.playbook) return null;
    const hits = context.knowledgeHits();
    const uncertain =
      !understanding.outOfScope && understanding.confidence >= OUT_OF_SCOPE_FLOOR && understanding.confidence < gate;
    const unrelated = understanding.outOfScope || understanding.confidence < OUT_OF_SCOPE_FLOOR;
    const aboutKnowledge = unrelated && (hits[0]?.matchScore ?? 0) >= IN_DOMAIN_MATCH;
    const multiPart = isMultiPart(context.input.text);
    if (!(uncertain || aboutKnowledge || multiPart) || hits.length === 0) return null;
    const why = uncertain ? 'light tier unsure' : multiPart ? 'multi-part question' : 'answered from documents';
    return askModel(context, services.llm, why);
  },
};

async function askModel(
  context: TurnContext,
  llm: NonNullable<TurnContext['services']['llm']>,
  why: string,
): Promise<Proposal> {
  const { runtime, gate } = context;
  const hits = context.knowledgeHits();
  const passages = hits.map((hit) => runtime.passages.get(hit.id)).filter((passage) => passage !== undefined);
  const tools = context.playbookContext().tools;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const result = await answerWithPassages(llm.model, {
      ...(llm.onDelta ? { onTextDelta: forwardUntilLeak(llm.onDelta, runtime.systemPrompt) } : {}),
      question: context.input.text,
      history: llm.history,
      passages: passages.map(({ id, title, text, version }) => ({ id, title, text, version })),
      systemPrompt: runtime.systemPrompt,
      timeoutMs: llm.answerTimeoutMs,
      // The tenant's allow-list: the tools its own playbooks use, nothing else.
      tools: runtime.llmTools,
      executeTool: (name, toolInput) => {
        const tool = tools.get(name.replace(/_/g, '.'));
        if (!tool || !runtime.llmTools.some((definition) => definition.name === name)) throw new Error('not allowed');
        return tool.run(toolInput);
      },
    });
    const trace = {
      model: llm.model.modelId,
      usage: result.usage,
      steps: result.steps,
      grounded: result.grounded,
      citations: result.citations,
      stopReason: result.stopReason,
      toolCalls: result.toolCalls.map((call) => ({ name: call.name, ...(call.error ? { error: call.error } : {}) })),
      ms: elapsed(),
    };
    if (detectPromptLeak(result.text, runtime.systemPrompt)) {
      return {
        ...handOver(context, 'LLM answer repeats the system prompt: withheld', { key: 'handover.llm_leak' }),
        llm: trace,
      };
    }
    if (!result.grounded) {
      const unknown = `${result.unknownCitations.length} unknown citation(s)`;
      const reason = `LLM answer cites nothing that was retrieved (${unknown}): treated as low confidence`;
      return { ...handOver(context, reason, { key: 'handover.llm_ungrounded' }), llm: trace };
    }
    const confidence = Math.max(
      ...hits.filter((hit) => result.citations.includes(hit.id)).map((hit) => hit.matchScore),
    );
    const citations = result.citations.map((id) => {
      const passage = runtime.passages.get(id)!;
      return { source: passage.source, id: passage.reference, version: passage.version ?? 1 };
    });
    const sources = result.citations.join(', ');
    // Below the gate in a sensitive domain a grounded answer is still only a draft.
    const needsApproval = confidence < gate && isSensitiveDomain(runtime.domain);
    const below = `retrieval confidence ${confidence.toFixed(3)} < gate ${gate} in ${runtime.domain}`;
    const reason = needsApproval
      ? `LLM answer grounded in ${sources}, but ${below}: a person approves the draft`
      : `LLM answer grounded in ${sources} (${why})`;
    return {
      route: needsApproval ? 'assist' : 'auto',
      tier: 'llm',
      text: result.text,
      reasons: [reason],
      ...(needsApproval
        ? {
            agentReason: {
              key: 'assist.llm_below_gate',
              params: { confidence: percent(confidence), gate: percent(gate) },
            },
          }
        : {}),
      citations,
      confidence,
      llm: trace,
    };
  } catch (error) {
    const code = isLlmCallError(error) ? error.code : 'CS_INTERNAL';
    const trace = {
      model: llm.model.modelId,
      usage: { inputTokens: 0, outputTokens: 0 },
      steps: 0,
      grounded: false,
      citations: [],
      stopReason: 'error',
      toolCalls: [],
      error: code,
      ms: elapsed(),
    };
    return {
      ...handOver(context, `LLM tier failed (${code}): a person takes over`, { key: 'handover.llm_failed' }),
      llm: trace,
    };
  }
}

/** Streams the answer to the customer, and stops the moment the text starts to repeat the system prompt. */
function forwardUntilLeak(onDelta: (delta: string) => void, systemPrompt: string): (delta: string) => void {
  let streamed = '';
  let stopped = false;
  return (delta) => {
    streamed += delta;
    if (stopped || (stopped = detectPromptLeak(streamed, systemPrompt))) return;
    onDelta(delta);
  };
}
