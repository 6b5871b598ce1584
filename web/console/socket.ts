import type { Message } from '../shared/wire.js';

export type AgentEvent = { type: string; conversationId?: string; [key: string]: unknown };
export type SocketStatus = 'connecting' | 'open' | 'reconnecting';

/**
 * The console WebSocket: reconnects with backoff, re-subscribes each open conversation after the
 * last seq it saw (the server then sends only what was missed), and passes every message on once.
 */
export class AgentSocket {
  private socket: WebSocket | null = null;
  private readonly subscriptions = new Map<string, string>();
  private readonly seen = new Set<string>();
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly token: string,
    private readonly onEvent: (event: AgentEvent) => void,
    private readonly onStatus: (status: SocketStatus) => void,
    private readonly onUnauthorized: () => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.socket?.close(1000, 'bye');
    this.socket = null;
  }

  subscribe(conversationId: string, afterSeq = '0'): void {
    const known = this.subscriptions.get(conversationId);
    if (known === undefined || BigInt(afterSeq) > BigInt(known)) this.subscriptions.set(conversationId, afterSeq);
    this.send({ type: 'conversation.subscribe', conversationId, afterSeq: this.subscriptions.get(conversationId) });
  }

  unsubscribe(conversationId: string): void {
    this.subscriptions.delete(conversationId);
    this.send({ type: 'conversation.unsubscribe', conversationId });
  }

  send(frame: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private connect(): void {
    if (this.stopped) return;
    this.onStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const url = new URL('/v1/agent/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', this.token);
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.onStatus('open');
      for (const [conversationId, afterSeq] of this.subscriptions)
        this.send({ type: 'conversation.subscribe', conversationId, afterSeq });
      this.heartbeat = setInterval(() => this.send({ type: 'ping' }), 20_000);
    };
    socket.onmessage = (frame) => {
      let event: AgentEvent;
      try {
        event = JSON.parse(String(frame.data)) as AgentEvent;
      } catch {
        return;
      }
      if (!event || typeof event.type !== 'string' || event.type === 'pong') return;
      if (event.type === 'message.created') {
        const message = event.message as Message | undefined;
        if (!message || this.seen.has(message.id)) return;
        this.seen.add(message.id);
        const conversationId = message.conversationId;
        const known = this.subscriptions.get(conversationId);
        if (known !== undefined && BigInt(message.seq) > BigInt(known))
          this.subscriptions.set(conversationId, message.seq);
      }
      this.onEvent(event);
    };
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.stopped) return;
      if (close.code === 4401) {
        this.onUnauthorized();
        return;
      }
      this.onStatus('reconnecting');
      const delay = Math.min(10_000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }
}
