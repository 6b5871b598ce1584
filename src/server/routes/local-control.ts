import { timingSafeEqual } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CliIo } from '../../cli/io.js';
import { receiveFrames } from '../socket-frames.js';

/**
 * The server that owns the embedded database runs CLI commands for a CLI on the same machine
 * (src/cli/delegate.ts), so the data directory is never opened twice. Loopback connections only,
 * authenticated by the secret the server wrote to its owner lock file (mode 0600).
 */
export interface LocalControl {
  /** The current secret, or undefined while there is none (the route then refuses everyone). */
  token(): string | undefined;
  /** Runs a CLI command (args without node and the script) with this input and output; resolves to its exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

const runFrame = z
  .object({
    type: z.literal('run'),
    token: z.string().max(200),
    args: z.array(z.string().max(10_000)).min(1).max(100),
    cwd: z.string().min(1).max(4096),
    stdinIsTTY: z.boolean().optional(),
  })
  .strict();
const inputFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stdin'), data: z.string().max(1_000_000) }).strict(),
  z.object({ type: z.literal('stdin.end') }).strict(),
]);

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function sameSecret(given: string, expected: string | undefined): boolean {
  if (!expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function localControlRoutes(app: FastifyInstance, control: LocalControl): Promise<void> {
  app.get('/local/v1/cli', { websocket: true, schema: { hide: true } }, (socket, request) => {
    if (!isLoopback(request.socket.remoteAddress)) {
      socket.close(4403, 'local connections only');
      return;
    }
    const send = (payload: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
    };
    const stdin = new PassThrough();
    let started = false;
    const frames = receiveFrames(socket, { log: request.log, kind: 'local-cli' });
    frames.start(async (data) => {
      let json: unknown;
      try {
        json = JSON.parse(data.toString('utf8'));
      } catch {
        socket.close(4400, 'malformed frame');
        return;
      }
      if (!started) {
        const frame = runFrame.safeParse(json);
        if (!frame.success || !sameSecret(frame.data.token, control.token())) {
          socket.close(4401, 'unauthorized');
          return;
        }
        started = true;
        const io: CliIo = {
          stdout: (text) => send({ type: 'stdout', data: text }),
          stderr: (text) => send({ type: 'stderr', data: text }),
          stdin,
          stdinIsTTY: frame.data.stdinIsTTY ?? false,
          cwd: frame.data.cwd,
        };
        request.log.info({ command: frame.data.args[0] }, 'running a CLI command for a local client');
        void control
          .run(frame.data.args, io)
          .catch((error: unknown) => {
            request.log.error({ err: error }, 'local CLI command failed');
            send({ type: 'stderr', data: `kefu: ${error instanceof Error ? error.message : String(error)}\n` });
            return 1;
          })
          .then((code) => {
            send({ type: 'exit', code });
            socket.close(1000, 'done');
          });
        return;
      }
      const frame = inputFrame.safeParse(json);
      if (!frame.success) return;
      if (frame.data.type === 'stdin') stdin.write(frame.data.data);
      else stdin.end();
    });
    socket.on('close', () => stdin.end());
  });
}
