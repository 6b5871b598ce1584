import { useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { format, type Locale } from '../shared/locale.js';
import { citationsOf, isHandoff, quickRepliesOf, textOf, type Message } from '../shared/wire.js';
import { WidgetConnection, type ConnectionStatus, type ServerEvent } from './connection.js';
import { widgetStrings } from './strings.js';

export interface WidgetConfig {
  baseUrl: string;
  tenant: string;
  locale: Locale;
  title?: string;
  /** Start with the panel open (the demo page uses it; shops usually do not). */
  open?: boolean;
}

/** What the widget knows about the hand-over (docs/handoff.md, `handoff.updated`). */
interface HandoffState {
  status: 'waiting' | 'assigned' | 'closed' | 'returned';
  queue?: string;
  position: number | null;
  etaSeconds: number | null;
  agentName: string | null;
}

interface State {
  messages: Message[];
  pending: Array<{ clientId: string; text: string }>;
  streams: Record<string, string>;
  handoff: HandoffState | null;
  typing: string | null;
  agentReadSeq: string;
  failure: string | null;
  closed: boolean;
}

type Action =
  | { type: 'event'; event: ServerEvent }
  | { type: 'pending'; clientId: string; text: string }
  | { type: 'typing.clear' }
  | { type: 'reset' };

const initial: State = {
  messages: [],
  pending: [],
  streams: {},
  handoff: null,
  typing: null,
  agentReadSeq: '0',
  failure: null,
  closed: false,
};

/** The fields the widget reads from each server event it handles, by event type. */
interface EventFields {
  'message.created': { message: Message };
  'message.delta': { turnId: string; delta: string };
  'handoff.updated': { handoff: HandoffState };
  'typing.updated': { active?: boolean; actor?: { name?: string } };
  'read.updated': { seq?: string };
  error: { code: string; message?: string; clientId?: string };
}
type EventOf<T extends keyof EventFields> = { type: T } & EventFields[T];

function reduce(state: State, action: Action): State {
  if (action.type === 'reset') return initial;
  if (action.type === 'pending')
    return { ...state, failure: null, pending: [...state.pending, { clientId: action.clientId, text: action.text }] };
  if (action.type === 'typing.clear') return { ...state, typing: null };
  const event = action.event;
  switch (event.type) {
    case 'message.created': {
      const { message } = event as EventOf<'message.created'>;
      const messages = [...state.messages, message].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      const streams = { ...state.streams };
      if (message.turnId && message.direction !== 'incoming') delete streams[message.turnId];
      const pending = state.pending.filter((entry) => `ws:${entry.clientId}` !== message.externalId);
      // An agent's message means the agent stopped typing.
      const typing = message.sender.kind === 'agent' ? null : state.typing;
      return { ...state, messages, streams, pending, typing };
    }
    case 'message.delta': {
      const { turnId, delta } = event as EventOf<'message.delta'>;
      return { ...state, streams: { ...state.streams, [turnId]: (state.streams[turnId] ?? '') + delta } };
    }
    case 'handoff.updated': {
      const { handoff } = event as EventOf<'handoff.updated'>;
      return {
        ...state,
        handoff: {
          ...handoff,
          position: handoff.position ?? null,
          etaSeconds: handoff.etaSeconds ?? null,
          agentName: handoff.agentName ?? null,
        },
      };
    }
    case 'typing.updated': {
      const { active, actor } = event as EventOf<'typing.updated'>;
      return { ...state, typing: active ? (actor?.name ?? '') : null };
    }
    case 'read.updated': {
      const { seq } = event as EventOf<'read.updated'>;
      return BigInt(seq ?? '0') > BigInt(state.agentReadSeq) ? { ...state, agentReadSeq: String(seq) } : state;
    }
    case 'error': {
      const { code, message, clientId } = event as EventOf<'error'>;
      const pending = clientId
        ? state.pending.filter((entry) => entry.clientId !== clientId || code === 'CS_SHUTTING_DOWN')
        : state.pending;
      return {
        ...state,
        pending,
        failure: clientId ? String(message ?? code) : state.failure,
        closed: state.closed || code === 'CS_CONVERSATION_CLOSED',
      };
    }
    default:
      return state;
  }
}

/** The chat bubble and panel. */
export function Widget({ config }: { config: WidgetConfig }) {
  const t = widgetStrings[config.locale];
  const [open, setOpen] = useState(Boolean(config.open) || sessionFlag(config.tenant));
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [state, dispatch] = useReducer(reduce, initial);
  const [draft, setDraft] = useState('');
  const [unread, setUnread] = useState(0);
  const [greeting, setGreeting] = useState<string | null>(null);
  const connection = useRef<WidgetConnection | null>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const bubbleRef = useRef<HTMLButtonElement>(null);
  const typingSent = useRef(0);
  const typingStop = useRef<ReturnType<typeof setTimeout> | null>(null);
  const readSent = useRef('0');
  const openRef = useRef(open);
  openRef.current = open;

  useEffect(() => {
    const typingTimer = { current: null as ReturnType<typeof setTimeout> | null };
    const client = new WidgetConnection({
      baseUrl: config.baseUrl,
      tenant: config.tenant,
      locale: config.locale,
      onGreeting: setGreeting,
      onStatus: setStatus,
      onEvent: (event) => {
        dispatch({ type: 'event', event });
        if (
          event.type === 'message.created' &&
          !openRef.current &&
          (event as { message: Message }).message.direction !== 'incoming'
        )
          setUnread((count) => count + 1);
        if (event.type === 'typing.updated') {
          // A lost "stopped typing" frame must not leave the indicator on for ever.
          if (typingTimer.current) clearTimeout(typingTimer.current);
          typingTimer.current = setTimeout(() => dispatch({ type: 'typing.clear' }), 8000);
        }
      },
    });
    connection.current = client;
    client.start();
    return () => client.stop();
  }, [config.baseUrl, config.tenant]);

  useEffect(() => {
    rememberOpen(config.tenant, open);
    if (open) {
      setUnread(0);
      inputRef.current?.focus();
    }
  }, [open]);

  const visible = state.messages.filter((message) => message.visibility === 'public');
  const lastSeq = visible.length ? visible[visible.length - 1].seq : '0';

  // Keep the newest message in view, and tell the agent what the customer has read.
  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
    if (
      open &&
      BigInt(lastSeq) > BigInt(readSent.current) &&
      visible.some((message) => message.direction !== 'incoming')
    ) {
      if (connection.current?.sendEvent({ type: 'read.update', seq: lastSeq })) readSent.current = lastSeq;
    }
  }, [visible.length, Object.keys(state.streams).length, state.streams, open, status, state.handoff]);

  const handoff = useMemo(() => {
    if (state.handoff) return state.handoff;
    // Before the server's first handoff.updated: the bot's hand-over message says we are waiting.
    const last = [...visible].reverse().find((message) => message.direction !== 'incoming');
    return last && isHandoff(last)
      ? ({ status: 'waiting', position: null, etaSeconds: null, agentName: null } as HandoffState)
      : null;
  }, [state.handoff, visible.length]);

  const lastReply = [...visible].reverse().find((message) => message.direction !== 'incoming');
  const quickReplies = lastReply && lastReply === visible[visible.length - 1] ? quickRepliesOf(lastReply) : [];
  const lastMine = [...visible].reverse().find((message) => message.direction === 'incoming');

  const send = (text: string) => {
    const trimmed = text.trim();
    if (!trimmed || !connection.current) return;
    const clientId = connection.current.send(trimmed);
    dispatch({ type: 'pending', clientId, text: trimmed });
    stopTyping();
  };
  const stopTyping = () => {
    if (typingStop.current) clearTimeout(typingStop.current);
    if (typingSent.current) connection.current?.sendEvent({ type: 'typing.update', active: false });
    typingSent.current = 0;
  };
  const onInput = (value: string) => {
    setDraft(value);
    if (!handoff || handoff.status !== 'assigned') return;
    if (Date.now() - typingSent.current > 3000) {
      if (connection.current?.sendEvent({ type: 'typing.update', active: true })) typingSent.current = Date.now();
    }
    if (typingStop.current) clearTimeout(typingStop.current);
    typingStop.current = setTimeout(stopTyping, 4000);
  };
  const close = () => {
    setOpen(false);
    setTimeout(() => bubbleRef.current?.focus(), 0);
  };

  const statusText =
    status === 'open'
      ? null
      : status === 'connecting'
        ? t.connecting
        : status === 'offline'
          ? t.offline
          : status === 'unavailable'
            ? t.unavailable
            : t.reconnecting;
  const ended = handoff?.status === 'closed' || state.closed;

  if (!open) {
    return (
      <button
        ref={bubbleRef}
        class="bubble"
        type="button"
        aria-expanded="false"
        aria-controls="kefu-panel"
        onClick={() => setOpen(true)}
      >
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M12 3C6.5 3 2 6.9 2 11.7c0 2.5 1.2 4.7 3.2 6.3L4.5 22l4.2-2.3c1 .3 2.1.4 3.3.4 5.5 0 10-3.9 10-8.7S17.5 3 12 3z" />
        </svg>
        <span>{t.open}</span>
        {unread > 0 && (
          <span class="badge" aria-label={`${unread}`}>
            {unread}
          </span>
        )}
      </button>
    );
  }

  return (
    <section
      id="kefu-panel"
      class="panel"
      role="dialog"
      aria-label={config.title ?? t.title}
      onKeyDown={(event) => event.key === 'Escape' && close()}
    >
      <header>
        <h2>{config.title ?? t.title}</h2>
        <button type="button" aria-label={t.close} title={t.close} onClick={close}>
          ×
        </button>
      </header>
      {statusText && (
        <div class="status" role="status">
          {statusText}
        </div>
      )}
      {handoff && (handoff.status === 'waiting' || handoff.status === 'assigned') && (
        <div class="handoff" role="status" aria-live="polite" data-testid="handoff">
          {handoff.status === 'assigned' ? (
            <strong>{format(t.agentJoined, { name: handoff.agentName ?? t.agent })}</strong>
          ) : (
            <>
              <strong>{t.handoffWaiting}</strong>
              {handoff.position !== null && (
                <span>{handoff.position <= 1 ? t.positionFirst : format(t.position, { n: handoff.position - 1 })}</span>
              )}
              {handoff.position !== null && ' · '}
              <span>
                {handoff.etaSeconds === null
                  ? state.handoff
                    ? t.etaUnknown
                    : ''
                  : format(t.eta, { n: Math.max(1, Math.round(handoff.etaSeconds / 60)) })}
              </span>
            </>
          )}
        </div>
      )}
      <div class="log" ref={logRef} role="log" aria-live="polite" aria-label={t.messages} tabIndex={0}>
        {greeting && (
          <div class="row bot greeting" data-sender="bot" data-testid="greeting">
            <span class="who">{t.bot}</span>
            <div class="text">{greeting}</div>
          </div>
        )}
        {visible.map((message) => (
          <MessageRow
            key={message.id}
            message={message}
            t={t}
            agentName={state.handoff?.agentName ?? null}
            read={message === lastMine && BigInt(state.agentReadSeq) >= BigInt(message.seq)}
          />
        ))}
        {Object.entries(state.streams).map(([turnId, text]) => (
          <div key={turnId} class="row streaming">
            <span class="who">{t.bot}</span>
            <div class="text">{text}</div>
          </div>
        ))}
        {state.pending.map((entry) => (
          <div key={entry.clientId} class="row mine pending">
            <div class="text">{entry.text}</div>
            <span class="meta">{t.sending}</span>
          </div>
        ))}
        {state.failure && (
          <div class="ended" role="alert">
            {format(t.failed, { reason: state.failure })}
          </div>
        )}
        {handoff?.status === 'returned' && <div class="ended">{t.returned}</div>}
        {ended && (
          <Csat
            t={t}
            connection={connection.current}
            onNew={() => {
              dispatch({ type: 'reset' });
              connection.current?.restart();
            }}
          />
        )}
      </div>
      <div class="typing" aria-live="polite">
        {state.typing !== null ? format(t.typing, { name: state.typing || t.agent }) : ''}
      </div>
      {quickReplies.length > 0 && (
        <div class="quick" role="group" aria-label={t.quickReplies}>
          {quickReplies.map((option) => (
            <button key={option} type="button" onClick={() => send(option)}>
              {option}
            </button>
          ))}
        </div>
      )}
      <form
        class="composer"
        onSubmit={(event) => {
          event.preventDefault();
          send(draft);
          setDraft('');
        }}
      >
        <label class="sr" for="kefu-input">
          {t.placeholder}
        </label>
        <textarea
          id="kefu-input"
          ref={inputRef}
          class="input"
          rows={1}
          maxLength={4000}
          placeholder={t.placeholder}
          value={draft}
          onInput={(event) => onInput((event.target as HTMLTextAreaElement).value)}
          onKeyDown={(event) => {
            // Enter sends; Shift+Enter is a new line; an IME composing Chinese keeps its Enter.
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send(draft);
              setDraft('');
            }
          }}
        />
        <button type="submit" disabled={!draft.trim()}>
          {t.send}
        </button>
      </form>
    </section>
  );
}

function MessageRow({
  message,
  t,
  read,
  agentName,
}: {
  message: Message;
  t: (typeof widgetStrings)['en'];
  read: boolean;
  agentName: string | null;
}) {
  const mine = message.direction === 'incoming';
  const sender = message.sender as Message['sender'] & { name?: string | null };
  const who = mine ? t.you : sender.kind === 'agent' ? (sender.name ?? agentName ?? t.agent) : t.bot;
  const citations = citationsOf(message);
  return (
    <div class={`row ${mine ? 'mine' : sender.kind}`} data-sender={sender.kind}>
      <span class="who">{who}</span>
      <div class="text">{textOf(message)}</div>
      {citations.length > 0 && (
        <div class="sources">
          {t.sources}
          <ol>
            {citations.map((citation) => (
              <li key={citation.source}>
                {citation.title ?? citation.source}
                {citation.version ? ` · v${citation.version}` : ''}
              </li>
            ))}
          </ol>
        </div>
      )}
      {read && <span class="meta">{t.read}</span>}
    </div>
  );
}

function Csat({
  t,
  connection,
  onNew,
}: {
  t: (typeof widgetStrings)['en'];
  connection: WidgetConnection | null;
  onNew: () => void;
}) {
  const [score, setScore] = useState(0);
  const [hover, setHover] = useState(0);
  const [comment, setComment] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  return (
    <div class="csat" data-testid="csat">
      <div class="ended">{t.ended}</div>
      {sent ? (
        <p role="status">{t.csatThanks}</p>
      ) : (
        <form
          class="csat-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!score || !connection) return;
            setBusy(true);
            // rate() never rejects: a failure resolves to false.
            void connection.rate(score, comment.trim().slice(0, 500) || undefined).then((ok) => {
              setBusy(false);
              setFailed(!ok);
              setSent(ok);
            });
          }}
        >
          <p id="kefu-csat-title">{t.csatTitle}</p>
          <div class="stars" role="radiogroup" aria-labelledby="kefu-csat-title" onMouseLeave={() => setHover(0)}>
            {[1, 2, 3, 4, 5].map((n) => (
              <button
                key={n}
                type="button"
                role="radio"
                aria-checked={score === n}
                aria-label={format(t.csatStar, { n })}
                class={n <= (hover || score) ? 'lit' : ''}
                onMouseEnter={() => setHover(n)}
                onClick={() => setScore(n)}
              >
                ★
              </button>
            ))}
          </div>
          <label class="sr" for="kefu-csat-comment">
            {t.csatComment}
          </label>
          <textarea
            id="kefu-csat-comment"
            maxLength={500}
            placeholder={t.csatComment}
            value={comment}
            onInput={(event) => setComment((event.target as HTMLTextAreaElement).value)}
          />
          {failed && <p role="alert">{t.csatFailed}</p>}
          <button class="send" type="submit" disabled={!score || busy}>
            {t.csatSubmit}
          </button>
        </form>
      )}
      <div class="ended">
        <button type="button" onClick={onNew}>
          {t.newChat}
        </button>
      </div>
    </div>
  );
}

function sessionFlag(tenant: string): boolean {
  try {
    return sessionStorage.getItem(`kefu.widget.${tenant}.open`) === '1';
  } catch {
    return false;
  }
}

function rememberOpen(tenant: string, open: boolean): void {
  try {
    sessionStorage.setItem(`kefu.widget.${tenant}.open`, open ? '1' : '0');
  } catch {
    // storage disabled
  }
}
