import { randomId } from '../shared/random-id.js';
import type { Message, WidgetSession } from '../shared/wire.js';

/** Events the widget WebSocket sends; anything else is passed through untouched. */
export type ServerEvent =
  | { type: 'message.created'; message: Message }
  | { type: 'message.delta'; turnId: string; delta: string }
  | { type: 'message.ack'; clientId: string; id: string; seq: string; duplicate: boolean }
  | { type: 'error'; code: string; message: string; clientId?: string }
  | { type: 'pong' }
  | { type: string; [key: string]: unknown };

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'unavailable';

export interface WidgetConnectionOptions {
  baseUrl: string;
  tenant: string;
  onEvent: (event: ServerEvent) => void;
  onStatus: (status: ConnectionStatus) => void;
  /** The widget's language, sent with the session so the greeting comes in it. */
  locale?: string;
  /** The tenant's greeting for an empty conversation, once the session is open. */
  onGreeting?: (greeting: string) => void;
}

interface Saved {
  visitorId?: string;
  conversationId?: string;
}

const HEARTBEAT_MS = 20_000;
const SILENCE_LIMIT_MS = 45_000;

/**
 * One widget conversation over the WebSocket, kept alive across network trouble: it reconnects
 * with backoff and resumes after the last message seq it saw, re-sends messages the server has
 * not acknowledged under the same client id (the server de-duplicates them), and passes each
 * message on exactly once.
 */
export class WidgetConnection {
  private socket: WebSocket | null = null;
  private session: WidgetSession | null = null;
  private lastSeq = '0';
  private readonly seen = new Set<string>();
  private readonly outbox = new Map<string, string>();
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private readonly storageKey: string;

  constructor(private readonly options: WidgetConnectionOptions) {
    this.storageKey = `kefu.widget.${options.tenant}`;
  }

  get conversationId(): string | null {
    return this.session?.conversationId ?? null;
  }

  /** Opens (or resumes) the visitor's conversation. */
  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.socket?.close(1000, 'bye');
    this.socket = null;
  }

  /** Queues a customer message; it is sent now or as soon as the socket is back. */
  send(text: string): string {
    const clientId = randomId();
    this.outbox.set(clientId, text);
    this.transmit({ type: 'message.create', clientId, text });
    return clientId;
  }

  /** Sends a client event if the socket is open (typing, read receipts); dropped otherwise. */
  sendEvent(event: Record<string, unknown>): boolean {
    return this.transmit(event);
  }

  /** Rates the conversation a person handled (1–5); resolves false when the server refused. */
  async rate(score: number, comment?: string): Promise<boolean> {
    if (!this.session) return false;
    try {
      const response = await fetch(
        new URL(`/widget/v1/conversations/${this.session.conversationId}/csat`, this.options.baseUrl),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.session.token}` },
          body: JSON.stringify({ score, ...(comment ? { comment } : {}) }),
        },
      );
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Forgets the conversation (after it ended) and starts a new one. */
  restart(): void {
    this.stop();
    this.save({ ...this.load(), conversationId: undefined });
    this.session = null;
    this.lastSeq = '0';
    this.seen.clear();
    this.outbox.clear();
    this.start();
  }

  private transmit(event: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(event));
    return true;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.options.onStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    try {
      if (!this.session || Date.parse(this.session.expiresAt) - Date.now() < 60_000)
        this.session = await this.openSession();
    } catch (error) {
      // An unknown or suspended tenant will not fix itself: say so instead of retrying for ever.
      const status = (error as { status?: number }).status;
      if (status === 403 || status === 404) {
        this.stopped = true;
        this.options.onStatus('unavailable');
        return;
      }
      return this.retry();
    }
    if (this.stopped) return;
    const url = new URL('/widget/v1/ws', this.options.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', this.session.token);
    url.searchParams.set('conversationId', this.session.conversationId);
    if (this.lastSeq !== '0') url.searchParams.set('after', this.lastSeq);
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      return this.retry();
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.options.onStatus('open');
      for (const [clientId, text] of this.outbox) this.transmit({ type: 'message.create', clientId, text });
      this.heartbeat = setInterval(() => {
        if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) socket.close(4000, 'silent');
        else this.transmit({ type: 'ping' });
      }, HEARTBEAT_MS);
    };
    socket.onmessage = (frame) => {
      this.lastHeard = Date.now();
      let event: ServerEvent;
      try {
        event = JSON.parse(String(frame.data)) as ServerEvent;
      } catch {
        return;
      }
      if (!event || typeof event.type !== 'string') return;
      this.receive(event);
    };
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (this.stopped) return;
      // 4403: the service is suspended; retrying would not help.
      if (close.code === 4403) {
        this.stopped = true;
        this.options.onStatus('unavailable');
        return;
      }
      // 4401: the token expired or was revoked; ask for a new session before reconnecting.
      if (close.code === 4401) this.session = null;
      this.retry();
    };
  }

  private receive(event: ServerEvent): void {
    if (event.type === 'pong') return;
    if (event.type === 'message.created') {
      const message = (event as { message: Message }).message;
      if (!message || this.seen.has(message.id)) return;
      this.seen.add(message.id);
      if (BigInt(message.seq) > BigInt(this.lastSeq)) this.lastSeq = message.seq;
    }
    if (event.type === 'message.ack') this.outbox.delete((event as { clientId: string }).clientId);
    // A refused message (too long, conversation closed) is not retried; a draining node's is.
    if (event.type === 'error' && typeof event.clientId === 'string' && event.code !== 'CS_SHUTTING_DOWN')
      this.outbox.delete(event.clientId);
    this.options.onEvent(event);
  }

  private retry(): void {
    if (this.stopped) return;
    this.options.onStatus(typeof navigator !== 'undefined' && navigator.onLine === false ? 'offline' : 'reconnecting');
    const delay = Math.min(10_000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private async openSession(): Promise<WidgetSession> {
    const saved = this.load();
    const response = await fetch(new URL('/widget/v1/sessions', this.options.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        tenant: this.options.tenant,
        ...(saved.visitorId ? { visitorId: saved.visitorId } : {}),
        ...(saved.conversationId ? { conversationId: saved.conversationId } : {}),
        ...(this.options.locale ? { locale: this.options.locale } : {}),
      }),
    });
    if (!response.ok) throw Object.assign(new Error(`session: HTTP ${response.status}`), { status: response.status });
    const session = (await response.json()) as WidgetSession;
    if (saved.conversationId && saved.conversationId !== session.conversationId) {
      // A new conversation: the old one's messages are not ours any more.
      this.lastSeq = '0';
      this.seen.clear();
    }
    this.save({ visitorId: session.visitorId, conversationId: session.conversationId });
    if (session.greeting) this.options.onGreeting?.(session.greeting);
    return session;
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.timer = null;
    this.heartbeat = null;
  }

  private load(): Saved {
    try {
      return JSON.parse(localStorage.getItem(this.storageKey) ?? '{}') as Saved;
    } catch {
      return {};
    }
  }

  private save(saved: Saved): void {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(saved));
    } catch {
      // storage disabled (private mode): the conversation lasts as long as the page
    }
  }
}
