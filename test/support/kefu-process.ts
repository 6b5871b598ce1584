import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import WebSocket from 'ws';
import { frameText } from './socket-text.js';

/** A real `kefu serve` child process listening on 127.0.0.1 (PORT=0: the port it printed). */
export interface KefuProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Demo API keys by tenant slug, as the console printed them. */
  keys: Map<string, string>;
  output: () => string;
  /** SIGKILL, and resolves when the process is gone. */
  kill(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../..');

/** Starts `node bin/kefu.js serve` with `env` and waits (at most `timeoutMs`) for it to listen. */
export async function startKefuProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<KefuProcess> {
  const child = spawn(process.execPath, ['bin/kefu.js', 'serve'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`kefu did not start within ${timeoutMs} ms:\n${text.slice(-3000)}`)),
        timeoutMs,
      );
      const check = () => {
        // The console prints its banner in one go; with demo tenants it ends with "Try it".
        if (/LLM tier[^\n]*\n/.test(text) && (env.KEFU_DEMO === 'false' || /npx kefu chat[^\n]*\n/.test(text))) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`kefu exited (${code ?? signal}) before listening:\n${text.slice(-3000)}`));
      });
    });
  } catch (error) {
    await kill();
    throw error;
  }
  const baseUrl = /API\s+(http:\/\/\S+)\/v1/.exec(text)![1]!;
  const keys = new Map<string, string>();
  for (const match of text.matchAll(/Demo tenant\s+(\S+) .*API key: (kefu_sk_\S+)/g)) keys.set(match[1]!, match[2]!);
  return { child, baseUrl, keys, output: () => text, kill };
}

/** A widget customer on one WebSocket: every frame it got, and acks by client id. */
export class WidgetClient {
  readonly frames: any[] = [];
  socket!: WebSocket;
  #waiters = new Set<() => void>();

  static async connect(
    baseUrl: string,
    session: { token: string; conversationId: string },
    after?: string,
    timeoutMs = 10_000,
  ): Promise<WidgetClient> {
    const client = new WidgetClient();
    const query = new URLSearchParams({
      token: session.token,
      conversationId: session.conversationId,
      ...(after ? { after } : {}),
    });
    client.socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/widget/v1/ws?${query.toString()}`);
    client.socket.on('message', (data) => {
      try {
        client.frames.push(JSON.parse(frameText(data)));
      } catch {
        client.frames.push({ type: 'unparseable', data: frameText(data) });
      }
      for (const wake of [...client.#waiters]) wake();
    });
    client.socket.on('close', () => {
      for (const wake of [...client.#waiters]) wake();
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('widget WebSocket did not open')), timeoutMs);
      client.socket.once('open', () => (clearTimeout(timer), resolve()));
      client.socket.once('error', (error) => (clearTimeout(timer), reject(error)));
    });
    return client;
  }

  /** message.created frames, in arrival order. */
  messages(): any[] {
    return this.frames.filter((frame) => frame.type === 'message.created').map((frame) => frame.message);
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Waits until `check` holds on the frames received so far. */
  async until(check: (client: WidgetClient) => boolean, timeoutMs = 15_000, what = 'a frame'): Promise<void> {
    if (check(this)) return;
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        if (!check(this)) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; frames: ${JSON.stringify(this.frames.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }

  /** Sends a customer message and waits for its ack (or error). */
  async say(text: string, clientId: string, timeoutMs = 15_000): Promise<any> {
    this.send({ type: 'message.create', clientId, text });
    await this.until(
      (client) =>
        client.frames.some(
          (frame) => (frame.type === 'message.ack' || frame.type === 'error') && frame.clientId === clientId,
        ),
      timeoutMs,
      `the ack of ${clientId}`,
    );
    return this.frames.find(
      (frame) => (frame.type === 'message.ack' || frame.type === 'error') && frame.clientId === clientId,
    );
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Reads a server-sent event stream: every event with its id, name and parsed data. */
export class SseClient {
  readonly events: Array<{ id?: string; event: string; data: any }> = [];
  readonly #controller = new AbortController();
  #done: Promise<void> = Promise.resolve();

  static async open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const client = new SseClient();
    const response = await fetch(url, { headers, signal: client.#controller.signal });
    if (!response.ok || !response.body) throw new Error(`SSE ${url} answered ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    client.#done = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const entry: { id?: string; event: string; data: any } = { event: 'message', data: '' };
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) entry.id = line.slice(4);
              else if (line.startsWith('event: ')) entry.event = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (!data) continue;
            entry.data = JSON.parse(data);
            client.events.push(entry);
          }
        }
      } catch {
        // aborted, or the server went away
      }
    })();
    return client;
  }

  messages(): any[] {
    return this.events.filter((entry) => entry.event === 'message.created').map((entry) => entry.data);
  }

  async until(check: (client: SseClient) => boolean, timeoutMs = 15_000, what = 'an event'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${what}; events: ${JSON.stringify(this.events.slice(-5))}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }
}
