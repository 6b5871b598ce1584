import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { format, htmlLang, pickLocale, type Locale } from '../shared/locale.js';
import { textOf } from '../shared/wire.js';
import { AgentApi, ApiError, login } from './api.js';
import { ConversationPane } from './conversation.js';
import { TrainerScreen, TrainerTab } from './trainer.js';
import { AnalyticsScreen, AnalyticsTab } from './analytics.js';
import { OffersScreen, OffersTab } from './offers.js';
import { AgentSocket, type AgentEvent, type SocketStatus } from './socket.js';
import { consoleStrings, type ConsoleStrings } from './strings.js';
import type { Agent, Presence, QueueItem } from './types.js';

interface Session {
  token: string;
  tenant: string;
  agent: Agent;
  expiresAt: string;
}

const SESSION_KEY = 'kefu.console.session';
const LOCALE_KEY = 'kefu.console.locale';

function loadSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    return session && Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

function storeSession(session: Session | null): void {
  try {
    if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // storage disabled: the session lasts as long as the page
  }
}

function initialLocale(): Locale {
  const query = new URLSearchParams(location.search).get('lang');
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(LOCALE_KEY);
  } catch {
    // ignore
  }
  return pickLocale(query ?? saved);
}

export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const [session, setSession] = useState<Session | null>(loadSession);
  const t = consoleStrings[locale];

  useEffect(() => {
    document.documentElement.lang = htmlLang(locale);
    document.title = t.appTitle;
    try {
      localStorage.setItem(LOCALE_KEY, locale);
    } catch {
      // ignore
    }
  }, [locale]);

  const signOut = useCallback(() => {
    storeSession(null);
    setSession(null);
  }, []);

  const languagePicker = (
    <label class="lang">
      <span class="sr">{t.language}</span>
      <select
        aria-label={t.language}
        value={locale}
        onChange={(event) => setLocale((event.target as HTMLSelectElement).value as Locale)}
      >
        <option value="zh-Hans">简体中文</option>
        <option value="zh-Hant">繁體中文</option>
        <option value="en">English</option>
      </select>
    </label>
  );

  if (!session) {
    return (
      <Login
        t={t}
        languagePicker={languagePicker}
        onLogin={(next) => {
          storeSession(next);
          setSession(next);
        }}
      />
    );
  }
  return <Workspace key={session.token} t={t} session={session} languagePicker={languagePicker} onSignOut={signOut} />;
}

function Login({
  t,
  onLogin,
  languagePicker,
}: {
  t: ConsoleStrings;
  onLogin: (session: Session) => void;
  languagePicker: preact.ComponentChild;
}) {
  const params = new URLSearchParams(location.search);
  const [tenant, setTenant] = useState(params.get('tenant') ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  // Never rejects: a failed login is shown in the form.
  const submit = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const answer = await login(tenant.trim(), email.trim(), password);
      onLogin({ token: answer.token, expiresAt: answer.expiresAt, agent: answer.agent, tenant: tenant.trim() });
    } catch (error) {
      setFailure(
        error instanceof ApiError && error.status === 401
          ? t.loginFailed
          : format(t.error, { reason: (error as Error).message }),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form
        class="card"
        aria-labelledby="login-title"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <div class="login-head">
          <h1 id="login-title">{t.loginTitle}</h1>
          {languagePicker}
        </div>
        <label>
          {t.tenant}
          <input
            name="tenant"
            required
            autoComplete="organization"
            value={tenant}
            onInput={(event) => setTenant((event.target as HTMLInputElement).value)}
            placeholder="shop-zh"
          />
        </label>
        <label>
          {t.email}
          <input
            name="email"
            type="email"
            required
            autoComplete="username"
            value={email}
            onInput={(event) => setEmail((event.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t.password}
          <input
            name="password"
            type="password"
            required
            autoComplete="current-password"
            value={password}
            onInput={(event) => setPassword((event.target as HTMLInputElement).value)}
          />
        </label>
        {failure && (
          <p class="failure" role="alert">
            {failure}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.loggingIn : t.login}
        </button>
      </form>
    </main>
  );
}

/** Listeners for the open conversation: the pane registers one, the socket feeds it. */
export type EventListener = (event: AgentEvent) => void;

function Workspace({
  t,
  session,
  onSignOut,
  languagePicker,
}: {
  t: ConsoleStrings;
  session: Session;
  onSignOut: () => void;
  languagePicker: preact.ComponentChild;
}) {
  const api = useMemo(() => new AgentApi(session.token, onSignOut), [session.token]);
  const [me, setMe] = useState<Agent>(session.agent);
  const [queue, setQueue] = useState<QueueItem[]>([]);
  const [mine, setMine] = useState<QueueItem[]>([]);
  const [selected, setSelected] = useState<string | null>(
    () => location.hash.match(/^#\/c\/([0-9a-f-]{36})$/)?.[1] ?? null,
  );
  const [status, setStatus] = useState<SocketStatus>('connecting');
  const [notice, setNotice] = useState<string | null>(null);
  const [trainer, setTrainer] = useState(() => location.hash === '#/trainer');
  const [analytics, setAnalytics] = useState(() => location.hash === '#/analytics');
  const [offersOpen, setOffersOpen] = useState(() => location.hash === '#/offers');
  const [socket, setSocket] = useState<AgentSocket | null>(null);
  const listener = useRef<EventListener | null>(null);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [waiting, assigned] = await Promise.all([
        api.get<{ items: QueueItem[] }>('/queue'),
        api.get<{ items: QueueItem[] }>('/conversations'),
      ]);
      setQueue(waiting.items);
      setMine(assigned.items);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401))
        setNotice(format(t.error, { reason: (error as Error).message }));
    }
  }, [api, t]);
  const refreshSoon = useCallback(() => {
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => void refresh(), 250);
  }, [refresh]);

  useEffect(() => {
    void refresh();
    api.get<Agent>('/me').then(setMe, () => undefined);
    const client = new AgentSocket(
      session.token,
      (event) => {
        if (event.type === 'handoff.updated' || event.type === 'sla.breached' || event.type === 'message.created')
          refreshSoon();
        if (event.type === 'session.ready' && event.agent) setMe(event.agent as Agent);
        listener.current?.(event);
      },
      (next) => {
        setStatus(next);
        if (next === 'open') void refresh();
      },
      onSignOut,
    );
    client.start();
    setSocket(client);
    // Lists also refresh on a timer, so waiting times and positions stay current.
    const timer = setInterval(() => void refresh(), 15_000);
    return () => {
      clearInterval(timer);
      client.stop();
    };
  }, [session.token]);

  useEffect(() => {
    const onHash = () => {
      setSelected(location.hash.match(/^#\/c\/([0-9a-f-]{36})$/)?.[1] ?? null);
      setTrainer(location.hash === '#/trainer');
      setAnalytics(location.hash === '#/analytics');
      setOffersOpen(location.hash === '#/offers');
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const open = (conversationId: string) => {
    location.hash = `#/c/${conversationId}`;
    setSelected(conversationId);
  };

  const setPresence = async (presence: Presence) => {
    try {
      setMe(await api.put<Agent>('/me/presence', { presence }));
      refreshSoon();
    } catch (error) {
      setNotice(format(t.error, { reason: (error as Error).message }));
    }
  };

  const accept = async (conversationId: string) => {
    try {
      await api.post(`/conversations/${conversationId}/accept`);
      open(conversationId);
    } catch (error) {
      setNotice(
        error instanceof ApiError && error.code === 'CS_HANDOFF_ALREADY_ACCEPTED'
          ? t.accepted
          : format(t.error, { reason: (error as Error).message }),
      );
    }
    await refresh();
  };

  return (
    <div class="shell">
      <header class="top">
        <h1>{t.appTitle}</h1>
        <span class="tenant">{session.tenant}</span>
        {status !== 'open' && (
          <span class="conn" role="status">
            {status === 'connecting' ? t.connecting : t.reconnecting}
          </span>
        )}
        <span class="spacer" />
        <TrainerTab t={t} active={trainer} />
        <AnalyticsTab t={t} active={analytics} />
        <OffersTab t={t} active={offersOpen} />
        <span class="me">{me.name}</span>
        <label class="presence">
          <span>{t.presence}</span>
          <select
            aria-label={t.presence}
            value={me.presence}
            data-presence={me.presence}
            onChange={(event) => void setPresence((event.target as HTMLSelectElement).value as Presence)}
          >
            <option value="online">{t.online}</option>
            <option value="away">{t.away}</option>
            <option value="offline">{t.offline}</option>
          </select>
        </label>
        {languagePicker}
        <button
          type="button"
          onClick={() => {
            void api.delete('/sessions/current').catch(() => undefined);
            onSignOut();
          }}
        >
          {t.logout}
        </button>
      </header>
      {notice && (
        <div class="notice" role="alert">
          {notice}{' '}
          <button type="button" aria-label="×" onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
      {trainer && <TrainerScreen api={api} t={t} />}
      {analytics && <AnalyticsScreen api={api} token={session.token} t={t} />}
      {offersOpen && <OffersScreen api={api} t={t} />}
      <div class="columns" style={trainer || offersOpen || analytics ? { display: 'none' } : undefined}>
        <nav class="lists" aria-label={`${t.queue} / ${t.mine}`}>
          <section aria-labelledby="queue-title">
            <h2 id="queue-title">
              {t.queue} <span class="count">{queue.length}</span>
            </h2>
            {queue.length === 0 && <p class="empty">{t.queueEmpty}</p>}
            <ul data-testid="queue">
              {queue.map((item) => (
                <li
                  key={item.conversation.id}
                  class={item.conversation.id === selected ? 'selected' : ''}
                  data-conversation-id={item.conversation.id}
                >
                  <button type="button" class="item" onClick={() => open(item.conversation.id)}>
                    <ItemSummary item={item} t={t} />
                  </button>
                  <button type="button" class="primary small" onClick={() => void accept(item.conversation.id)}>
                    {t.accept}
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="mine-title">
            <h2 id="mine-title">
              {t.mine} <span class="count">{mine.length}</span>
            </h2>
            {mine.length === 0 && <p class="empty">{t.mineEmpty}</p>}
            <ul data-testid="mine">
              {mine.map((item) => (
                <li
                  key={item.conversation.id}
                  class={item.conversation.id === selected ? 'selected' : ''}
                  data-conversation-id={item.conversation.id}
                >
                  <button
                    type="button"
                    class="item"
                    aria-current={item.conversation.id === selected ? 'true' : undefined}
                    onClick={() => open(item.conversation.id)}
                  >
                    <ItemSummary item={item} t={t} />
                  </button>
                </li>
              ))}
            </ul>
          </section>
        </nav>
        {selected && socket ? (
          <ConversationPane
            key={selected}
            conversationId={selected}
            api={api}
            socket={socket}
            me={me}
            t={t}
            listen={(callback) => {
              listener.current = callback;
            }}
            onAccept={() => accept(selected)}
            onChanged={refreshSoon}
            onNotice={setNotice}
          />
        ) : (
          <main class="pane empty-pane">
            <p>{t.pickConversation}</p>
          </main>
        )}
      </div>
    </div>
  );
}

function ItemSummary({ item, t }: { item: QueueItem; t: ConsoleStrings }) {
  const waited = Math.max(0, Math.round((Date.now() - Date.parse(item.handoff.requestedAt)) / 60_000));
  const breached = item.handoff.firstResponseBreachedAt || item.handoff.resolutionBreachedAt;
  return (
    <>
      <span class="line1">
        <strong>#{item.conversation.displayId}</strong>
        <span class="tag">{item.handoff.queue}</span>
        {item.handoff.route === 'assist' && <span class="tag assist">{t.draftTag}</span>}
        {breached && <span class="tag breach">{t.slaBreached}</span>}
        {(item.unread ?? 0) > 0 && <span class="tag unread">{format(t.unread, { n: item.unread ?? 0 })}</span>}
      </span>
      <span class="line2">
        {item.lastCustomerMessage
          ? textOf(item.lastCustomerMessage).slice(0, 60)
          : item.lastMessage
            ? textOf(item.lastMessage).slice(0, 60)
            : item.handoff.reason}
      </span>
      <span class="line3">
        {item.handoff.status === 'waiting'
          ? `${item.handoff.position ? format(t.position, { n: item.handoff.position }) + ' · ' : ''}${format(t.waitingFor, { n: waited })}`
          : t[item.handoff.status]}
      </span>
    </>
  );
}
