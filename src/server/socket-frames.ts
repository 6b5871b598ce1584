import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';

/** Handles one frame; it may return a promise, whose rejection closes this connection only. */
export type FrameHandler = (data: Buffer, isBinary: boolean) => unknown;

export interface FrameReceiver {
  /** Starts handling frames: those that arrived while the connection was being set up go first, in order. */
  start(handler: FrameHandler): void;
}

/**
 * Listens to a socket's frames from the first moment and runs each through the handler given to
 * `start`. A frame handler that throws or rejects unexpectedly is logged and counted, and closes
 * this connection (1011); it never becomes an unhandled rejection that would stop the node.
 */
export function receiveFrames(
  socket: WebSocket,
  options: { log: FastifyBaseLogger; kind: string; onFailure?: (kind: string) => void },
): FrameReceiver {
  const early: Array<{ data: Buffer; isBinary: boolean }> = [];
  let handler: FrameHandler | null = null;
  const fail = (error: unknown) => {
    options.onFailure?.(options.kind);
    options.log.error({ err: error, socket: options.kind }, 'socket frame failed; closing this connection');
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING)
      socket.close(1011, 'internal error');
  };
  const run = (data: Buffer, isBinary: boolean) => {
    try {
      Promise.resolve(handler!(data, isBinary)).catch(fail);
    } catch (error) {
      fail(error);
    }
  };
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (handler) run(data, isBinary);
    else early.push({ data, isBinary });
  });
  return {
    start(next) {
      handler = next;
      for (const frame of early.splice(0)) run(frame.data, frame.isBinary);
    },
  };
}
