import { useEffect, useRef, useState } from 'preact/hooks';
import { format } from '../shared/locale.js';
import { citationsOf, quickRepliesOf, textOf, type Message } from '../shared/wire.js';
import { randomId } from '../shared/random-id.js';
import { ApiError, type AgentApi } from './api.js';
import type { EventListener } from './app.js';
import type { AgentEvent, AgentSocket } from './socket.js';
import type { ConsoleStrings } from './strings.js';
import {
  RESOLUTION_CODES,
  type Agent,
  type AgentSummary,
  type ContextPanel,
  type ConversationView,
  type Draft,
  type Handoff,
  type QueueSummary,
} from './types.js';

interface Props {
  conversationId: string;
  api: AgentApi;
  socket: AgentSocket;
  me: Agent;
  t: ConsoleStrings;
  listen: (callback: EventListener | null) => void;
  onAccept: () => Promise<void>;
  onChanged: () => void;
  onNotice: (text: string | null) => void;
}

function bySeq(a: Message, b: Message): number {
  return BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0;
}

/** One conversation: the transcript, drafts to review, the reply box, actions and the context panel. */
export function ConversationPane({ conversationId, api, socket, me, t, listen, onAccept, onChanged, onNotice }: Props) {
  const [view, setView] = useState<ConversationView | null>(null);
  const [context, setContext] = useState<ContextPanel | null>(null);
  const [customerTyping, setCustomerTyping] = useState(false);
  const [readSeq, setReadSeq] = useState<string | null>(null);
  const [reply, setReply] = useState('');
  const [internal, setInternal] = useState(false);
  // The style guide's verdict on the reply about to be sent, shown before it goes out.
  const [styleCheck, setStyleCheck] = useState<(StyleCheck & { text: string }) | null>(null);
  const [styleReason, setStyleReason] = useState('');
  const logRef = useRef<HTMLOListElement>(null);
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const typingSent = useRef(0);
  const contextTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const readSent = useRef('0');

  const fail = (error: unknown) => {
    if (error instanceof ApiError && error.code === 'CS_HANDOFF_NOT_ASSIGNEE') onNotice(t.notAssignee);
    else onNotice(format(t.error, { reason: (error as Error).message }));
  };

  const loadContext = () => {
    if (contextTimer.current) clearTimeout(contextTimer.current);
    contextTimer.current = setTimeout(() => {
      api.get<ContextPanel>(`/conversations/${conversationId}/context`).then(setContext, () => undefined);
    }, 200);
  };

  useEffect(() => {
    let alive = true;
    api.get<ConversationView>(`/conversations/${conversationId}`).then(
      (loaded) => {
        if (!alive) return;
        loaded.messages.sort(bySeq);
        setView(loaded);
        setReadSeq(loaded.reads.contact);
        socket.subscribe(
          conversationId,
          loaded.messages.length ? loaded.messages[loaded.messages.length - 1].seq : '0',
        );
      },
      (error) => alive && fail(error),
    );
    loadContext();
    listen((event: AgentEvent) => {
      if (event.conversationId !== undefined && event.conversationId !== conversationId) return;
      switch (event.type) {
        case 'message.created': {
          const message = event.message as Message;
          if (message.conversationId !== conversationId) return;
          setView((current) =>
            current && !current.messages.some((known) => known.id === message.id)
              ? { ...current, messages: [...current.messages, message].sort(bySeq) }
              : current,
          );
          if (message.direction === 'incoming') {
            setCustomerTyping(false);
            loadContext();
          }
          break;
        }
        case 'draft.updated': {
          const draft = event.draft as Draft;
          setView((current) =>
            current
              ? { ...current, drafts: [...current.drafts.filter((known) => known.id !== draft.id), draft] }
              : current,
          );
          loadContext();
          break;
        }
        case 'handoff.updated':
          setView((current) => (current ? { ...current, handoff: event.handoff as Handoff } : current));
          break;
        case 'typing.updated':
          if ((event.actor as { kind?: string } | undefined)?.kind === 'contact')
            setCustomerTyping(Boolean(event.active));
          break;
        case 'read.updated':
          if ((event.reader as { kind?: string } | undefined)?.kind === 'contact') setReadSeq(String(event.seq));
          break;
      }
    });
    return () => {
      alive = false;
      listen(null);
      socket.unsubscribe(conversationId);
      if (contextTimer.current) clearTimeout(contextTimer.current);
    };
  }, [conversationId]);

  const messages = view?.messages ?? [];
  const lastSeq = messages.length ? messages[messages.length - 1].seq : '0';
  const handoff = view?.handoff ?? null;
  const mineNow = handoff?.status === 'assigned' && handoff.agentId === me.id;

  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
    if (mineNow && BigInt(lastSeq) > BigInt(readSent.current)) {
      if (socket.send({ type: 'read.update', conversationId, seq: lastSeq })) readSent.current = lastSeq;
    }
  }, [lastSeq, mineNow]);

  if (!view) return <main class="pane" aria-busy="true" />;

  const drafts = view.drafts.slice().sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const draftTexts = new Set(drafts.map((draft) => draft.text));
  // A draft is also stored as an internal bot message; the draft card stands for it.
  const shown = messages.filter(
    (message) => !(message.visibility === 'internal' && message.sender.kind === 'bot' && draftTexts.has(message.text)),
  );
  const pending = drafts.filter((draft) => draft.status === 'pending');
  const lastPublicReply = [...shown]
    .reverse()
    .find((message) => message.direction !== 'incoming' && message.visibility === 'public');

  const sendReply = async (text: string, overrideReason?: string) => {
    const trimmed = text.trim();
    if (!trimmed) return;
    try {
      if (!internal && overrideReason === undefined) {
        const check = await api.post<StyleCheck>(`/conversations/${conversationId}/style-check`, { text: trimmed });
        if (!check.passed) {
          setStyleCheck({ ...check, text: trimmed });
          setStyleReason('');
          return;
        }
      }
      const message = await api.post<Message>(`/conversations/${conversationId}/messages`, {
        text: trimmed,
        clientId: randomId(),
        visibility: internal ? 'internal' : 'public',
        ...(overrideReason !== undefined && !internal ? { styleOverride: { reason: overrideReason } } : {}),
      });
      setStyleCheck(null);
      setView((current) =>
        current && !current.messages.some((known) => known.id === message.id)
          ? { ...current, messages: [...current.messages, message].sort(bySeq) }
          : current,
      );
      setReply('');
      stopTyping();
      onChanged();
    } catch (error) {
      fail(error);
    }
  };
  const stopTyping = () => {
    if (typingSent.current) socket.send({ type: 'typing.update', conversationId, active: false });
    typingSent.current = 0;
  };
  const onInput = (value: string) => {
    setReply(value);
    if (!internal && mineNow && Date.now() - typingSent.current > 3000) {
      if (socket.send({ type: 'typing.update', conversationId, active: true })) typingSent.current = Date.now();
    }
    if (!value) stopTyping();
  };

  const decide = async (draft: Draft, action: 'approve' | 'edit' | 'reject', body: Record<string, unknown> = {}) => {
    try {
      const answer = await api.post<{ draft: Draft; message: Message | null }>(
        `/conversations/${conversationId}/drafts/${draft.id}/${action}`,
        body,
      );
      setView((current) => {
        if (!current) return current;
        const messages =
          answer.message && !current.messages.some((known) => known.id === answer.message!.id)
            ? [...current.messages, answer.message].sort(bySeq)
            : current.messages;
        return {
          ...current,
          messages,
          drafts: [...current.drafts.filter((known) => known.id !== answer.draft.id), answer.draft],
        };
      });
      onChanged();
    } catch (error) {
      fail(error);
    }
  };

  const act = async (path: string, body: Record<string, unknown> = {}) => {
    try {
      const next = await api.post<Handoff>(`/conversations/${conversationId}/${path}`, body);
      setView((current) => (current ? { ...current, handoff: next } : current));
      onChanged();
    } catch (error) {
      fail(error);
    }
  };

  return (
    <>
      <main class="pane" aria-labelledby="conversation-title">
        <div class="pane-head">
          <h2 id="conversation-title">{format(t.conversation, { n: view.conversation.displayId })}</h2>
          {handoff && (
            <span class={`status ${handoff.status}`} data-testid="handoff-status">
              {t[handoff.status]} · {t.queueName} {handoff.queue}
              {handoff.agentName && handoff.status === 'assigned' ? ` · ${handoff.agentName}` : ''}
            </span>
          )}
          {(handoff?.firstResponseBreachedAt || handoff?.resolutionBreachedAt) && (
            <span class="tag breach">{t.slaBreached}</span>
          )}
          <span class="spacer" />
          {handoff?.status === 'waiting' && (
            <button type="button" class="primary" onClick={() => void onAccept()}>
              {t.accept}
            </button>
          )}
          {mineNow && <Actions t={t} api={api} onAct={act} />}
        </div>
        <ol
          class="transcript"
          ref={logRef}
          aria-label={t.conversation.replace('#{n}', '')}
          tabIndex={0}
          aria-live="polite"
        >
          {shown.map((message) => (
            <MessageItem
              key={message.id}
              message={message}
              t={t}
              read={message === lastPublicReply && readSeq !== null && BigInt(readSeq) >= BigInt(message.seq)}
            />
          ))}
          {drafts
            .filter((draft) => draft.status !== 'pending')
            .map((draft) => (
              <li key={draft.id} class="msg note draft-done">
                <span class="who">{draftLabel(t, draft)}</span>
                <div class="text">{draft.finalText ?? draft.text}</div>
                <span class="meta">
                  {draft.status === 'approved'
                    ? t.draftApproved
                    : draft.status === 'edited'
                      ? format(t.draftEdited, { n: draft.editDistance ?? 0 })
                      : t.draftRejected}
                </span>
              </li>
            ))}
        </ol>
        <div class="typing" aria-live="polite">
          {customerTyping ? t.customerTyping : ''}
        </div>
        {pending.map((draft) => (
          <DraftCard key={draft.id} draft={draft} t={t} enabled={mineNow} onDecide={decide} />
        ))}
        {styleCheck && (
          <StylePanel
            t={t}
            check={styleCheck}
            reason={styleReason}
            onReason={setStyleReason}
            onUseFix={(fixed) => {
              setReply(fixed);
              setStyleCheck(null);
              replyRef.current?.focus();
            }}
            onSendAnyway={() => void sendReply(styleCheck.text, styleReason.trim())}
            onBack={() => setStyleCheck(null)}
          />
        )}
        <form
          class="composer"
          onSubmit={(event) => {
            event.preventDefault();
            void sendReply(reply);
          }}
        >
          <label class="sr" for="reply">
            {t.reply}
          </label>
          <textarea
            id="reply"
            ref={replyRef}
            value={reply}
            placeholder={t.replyPlaceholder}
            disabled={!mineNow && !internal}
            onInput={(event) => onInput((event.target as HTMLTextAreaElement).value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                void sendReply(reply);
              }
            }}
          />
          <div class="composer-row">
            <label class="check">
              <input
                type="checkbox"
                checked={internal}
                onChange={(event) => setInternal((event.target as HTMLInputElement).checked)}
              />{' '}
              {t.note}
            </label>
            <button type="submit" class="primary" disabled={!reply.trim() || (!mineNow && !internal)}>
              {t.send}
            </button>
          </div>
        </form>
      </main>
      <ContextAside
        t={t}
        context={context}
        onUse={(text) => {
          setReply(text);
          replyRef.current?.focus();
        }}
      />
    </>
  );
}

function MessageItem({ message, t, read }: { message: Message; t: ConsoleStrings; read: boolean }) {
  const sender = message.sender as Message['sender'] & { name?: string | null };
  const who =
    message.direction === 'incoming'
      ? t.customer
      : sender.kind === 'agent'
        ? (sender.name ?? t.agent)
        : sender.kind === 'system'
          ? t.system
          : t.bot;
  const internal = message.visibility === 'internal';
  const citations = citationsOf(message);
  const quick = quickRepliesOf(message);
  return (
    <li
      class={`msg ${message.direction === 'incoming' ? 'customer' : sender.kind} ${internal ? 'note' : ''}`}
      data-sender={sender.kind}
    >
      <span class="who">
        {who}
        {internal ? ` · ${t.internal}` : ''} ·{' '}
        <time dateTime={message.createdAt}>{new Date(message.createdAt).toLocaleTimeString()}</time>
      </span>
      <div class="text">{textOf(message)}</div>
      {quick.length > 0 && <div class="meta">[{quick.join(' | ')}]</div>}
      {citations.length > 0 && (
        <div class="meta">
          {t.sources}: {citations.map((citation) => citation.title ?? citation.source).join(', ')}
        </div>
      )}
      {read && <span class="meta">{t.readByCustomer}</span>}
    </li>
  );
}

/** What a draft is called: by what it was written from (a model's, or the tenant's own answers). */
function draftLabel(t: ConsoleStrings, draft: Draft): string {
  if (draft.basis === 'faq') return t.draftFromFaq;
  if (draft.basis === 'knowledge') return t.draftFromKnowledge;
  return t.draft;
}

function DraftCard({
  draft,
  t,
  enabled,
  onDecide,
}: {
  draft: Draft;
  t: ConsoleStrings;
  enabled: boolean;
  onDecide: (draft: Draft, action: 'approve' | 'edit' | 'reject', body?: Record<string, unknown>) => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [text, setText] = useState(draft.text);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (action: 'approve' | 'edit' | 'reject', body?: Record<string, unknown>) => {
    setBusy(true);
    await onDecide(draft, action, body);
    setBusy(false);
  };
  return (
    <section class="draft" aria-label={draftLabel(t, draft)} data-testid="draft" data-basis={draft.basis ?? undefined}>
      <h3>
        {draftLabel(t, draft)} <span class="tag assist">{t.draftPending}</span>
      </h3>
      {(draft.basis === 'faq' || draft.basis === 'knowledge') && <p class="basis">{t.draftNoModel}</p>}
      {editing ? (
        <>
          <label class="sr" for={`draft-${draft.id}`}>
            {t.edit}
          </label>
          <textarea
            id={`draft-${draft.id}`}
            value={text}
            onInput={(event) => setText((event.target as HTMLTextAreaElement).value)}
          />
        </>
      ) : (
        <div class="text">{draft.text}</div>
      )}
      {rejecting && (
        <>
          <label class="sr" for={`reject-${draft.id}`}>
            {t.rejectReason}
          </label>
          <input
            id={`reject-${draft.id}`}
            placeholder={t.rejectReason}
            value={reason}
            onInput={(event) => setReason((event.target as HTMLInputElement).value)}
          />
        </>
      )}
      <div class="buttons">
        {editing ? (
          <>
            <button
              type="button"
              class="primary"
              disabled={busy || !enabled || !text.trim()}
              onClick={() => void run('edit', { text: text.trim() })}
            >
              {t.sendEdited}
            </button>
            <button
              type="button"
              onClick={() => {
                setEditing(false);
                setText(draft.text);
              }}
            >
              {t.cancel}
            </button>
          </>
        ) : rejecting ? (
          <>
            <button
              type="button"
              class="danger"
              disabled={busy || !enabled}
              onClick={() => void run('reject', reason.trim() ? { reason: reason.trim() } : {})}
            >
              {t.reject}
            </button>
            <button type="button" onClick={() => setRejecting(false)}>
              {t.cancel}
            </button>
          </>
        ) : (
          <>
            <button type="button" class="primary" disabled={busy || !enabled} onClick={() => void run('approve')}>
              {t.approve}
            </button>
            <button type="button" disabled={!enabled} onClick={() => setEditing(true)}>
              {t.edit}
            </button>
            <button type="button" class="danger" disabled={!enabled} onClick={() => setRejecting(true)}>
              {t.reject}
            </button>
          </>
        )}
      </div>
    </section>
  );
}

function Actions({
  t,
  api,
  onAct,
}: {
  t: ConsoleStrings;
  api: AgentApi;
  onAct: (path: string, body?: Record<string, unknown>) => Promise<void>;
}) {
  const [mode, setMode] = useState<'none' | 'transfer' | 'close'>('none');
  const [targets, setTargets] = useState<{ agents: AgentSummary[]; queues: QueueSummary[] } | null>(null);
  const [target, setTarget] = useState('');
  const [resolution, setResolution] = useState<string>('resolved');
  useEffect(() => {
    if (mode !== 'transfer' || targets) return;
    Promise.all([api.get<{ agents: AgentSummary[] }>('/agents'), api.get<{ queues: QueueSummary[] }>('/queues')]).then(
      ([agents, queues]) => setTargets({ agents: agents.agents, queues: queues.queues }),
      () => setTargets({ agents: [], queues: [] }),
    );
  }, [mode]);
  if (mode === 'transfer') {
    return (
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (!target) return;
          const [kind, value] = [target.slice(0, 1), target.slice(2)];
          void onAct('transfer', kind === 'a' ? { agentId: value } : { queue: value }).then(() => setMode('none'));
        }}
      >
        <label>
          {t.transferTo}{' '}
          <select value={target} onChange={(event) => setTarget((event.target as HTMLSelectElement).value)} required>
            <option value="" />
            {targets?.agents.map((agent) => (
              <option key={agent.id} value={`a:${agent.id}`}>
                {format(t.toAgent, {
                  name: `${agent.name} (${t[agent.presence]} ${agent.activeCount}/${agent.maxConcurrent})`,
                })}
              </option>
            ))}
            {targets?.queues.map((queue) => (
              <option key={queue.name} value={`q:${queue.name}`}>
                {format(t.toQueue, { name: queue.name })}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary" disabled={!target}>
          {t.confirm}
        </button>
        <button type="button" onClick={() => setMode('none')}>
          {t.cancel}
        </button>
      </form>
    );
  }
  if (mode === 'close') {
    return (
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          void onAct('close', { resolutionCode: resolution }).then(() => setMode('none'));
        }}
      >
        <label>
          {t.resolution}{' '}
          <select value={resolution} onChange={(event) => setResolution((event.target as HTMLSelectElement).value)}>
            {RESOLUTION_CODES.map((code) => (
              <option key={code} value={code}>
                {t.resolutions[code] ?? code}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary">
          {t.confirm}
        </button>
        <button type="button" onClick={() => setMode('none')}>
          {t.cancel}
        </button>
      </form>
    );
  }
  return (
    <div class="actions">
      <button type="button" onClick={() => setMode('transfer')}>
        {t.transfer}
      </button>
      <button type="button" onClick={() => void onAct('return-to-bot')}>
        {t.returnToBot}
      </button>
      <button type="button" class="danger" onClick={() => setMode('close')}>
        {t.close}
      </button>
    </div>
  );
}

function ContextAside({
  t,
  context,
  onUse,
}: {
  t: ConsoleStrings;
  context: ContextPanel | null;
  onUse: (text: string) => void;
}) {
  if (!context) return <aside class="context" aria-label={t.context} aria-busy="true" />;
  const columns = context.orders.length ? Object.keys(context.orders[0]).slice(0, 4) : [];
  return (
    <aside class="context" aria-label={t.context} data-testid="context">
      <section>
        <h3>{t.summary}</h3>
        <p>{context.summary.text || t.none}</p>
      </section>
      <section>
        <h3>{t.intent}</h3>
        {context.turn ? (
          <dl>
            <dt>{t.intent}</dt>
            <dd>{context.turn.intentName ?? t.none}</dd>
            <dt>{t.confidence}</dt>
            <dd>
              <meter min={0} max={1} value={context.turn.confidence} aria-label={t.confidence} />{' '}
              {(context.turn.confidence * 100).toFixed(0)}%
            </dd>
            <dt>{t.route}</dt>
            <dd>
              {t.routes[context.turn.route] ?? context.turn.route} · {t.tiers[context.turn.tier] ?? context.turn.tier}
            </dd>
            {context.turn.why && (
              <>
                <dt>{t.handoffReason}</dt>
                <dd data-testid="handoff-reason">{context.turn.why}</dd>
              </>
            )}
          </dl>
        ) : (
          <p>{t.none}</p>
        )}
      </section>
      <section>
        <h3>{t.sources}</h3>
        {context.citations.length ? (
          <ul>
            {context.citations.map((citation) => (
              <li key={`${citation.source}:${citation.id ?? ''}`}>
                {citation.title ?? (citation.id ? `${citation.source}:${citation.id}` : citation.source)}
                {citation.version ? ` · v${citation.version}` : ''}
              </li>
            ))}
          </ul>
        ) : (
          <p>{t.none}</p>
        )}
      </section>
      <section>
        <h3>{t.orders}</h3>
        {context.orders.length ? (
          <table>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {context.orders.map((order, index) => (
                <tr key={index}>
                  {columns.map((column) => (
                    <td key={column}>{order[column]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>{context.ordersNote ?? t.noOrders}</p>
        )}
      </section>
      <section>
        <h3>{t.suggested}</h3>
        {context.suggestedReplies.length ? (
          <ul class="suggested">
            {context.suggestedReplies.map((suggestion) => (
              <li key={`${suggestion.source}:${suggestion.id}`}>
                <p class="q">{suggestion.question}</p>
                <p>{suggestion.answer}</p>
                <button type="button" class="small" onClick={() => onUse(suggestion.answer)}>
                  {t.use}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t.none}</p>
        )}
      </section>
    </aside>
  );
}

/** The style guide's verdict on a reply (POST …/style-check), as the server sends it. */
interface StyleCheck {
  passed: boolean;
  blocked: boolean;
  fixed: string;
  violations: Array<{
    rule: string;
    compliance: boolean;
    match: string;
    message: string;
    suggestion: string;
    suggestedText?: string;
  }>;
  remaining: Array<{ rule: string; suggestedText?: string }>;
}

/** What breaks the style guide, the fix, and — unless a compliance rule broke — sending anyway with a reason. */
function StylePanel({
  t,
  check,
  reason,
  onReason,
  onUseFix,
  onSendAnyway,
  onBack,
}: {
  t: ConsoleStrings;
  check: StyleCheck & { text: string };
  reason: string;
  onReason: (value: string) => void;
  onUseFix: (fixed: string) => void;
  onSendAnyway: () => void;
  onBack: () => void;
}) {
  // A sentence naming a competitor cannot be fixed word by word: its suggestion is the reply without it.
  const suggestion = check.remaining.find((violation) => violation.suggestedText)?.suggestedText ?? check.fixed;
  return (
    <section class="style-check" role="alert" aria-labelledby="style-check-title" data-testid="style-check">
      <h3 id="style-check-title">{check.blocked ? t.styleBlocked : t.styleTitle}</h3>
      <ul>
        {check.violations.map((violation, index) => (
          <li key={index} class={violation.compliance ? 'compliance' : ''}>
            {violation.message}
            <span class="meta"> — {violation.suggestion}</span>
          </li>
        ))}
      </ul>
      {!check.blocked && suggestion !== check.text && (
        <p class="style-fix">
          <q>{suggestion}</q>{' '}
          <button type="button" class="primary" onClick={() => onUseFix(suggestion)}>
            {t.styleUseFix}
          </button>
        </p>
      )}
      {!check.blocked && check.remaining.length > 0 && (
        <p class="style-override">
          <label>
            {t.styleReason}
            <input value={reason} onInput={(event) => onReason((event.target as HTMLInputElement).value)} />
          </label>
          <button type="button" disabled={reason.trim().length < 2} onClick={onSendAnyway}>
            {t.styleSendAnyway}
          </button>
        </p>
      )}
      <button type="button" onClick={onBack}>
        {t.styleBack}
      </button>
    </section>
  );
}
