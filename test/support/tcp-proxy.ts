import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 the test controls, in front of a real component: pass-through, cut
 * every open connection, refuse new ones, resume. The mode applies to new connections; `cut`
 * destroys the open ones (both sides), as a network partition or a server-side reset would.
 */
export interface TcpProxy {
  readonly port: number;
  /** Open client connections. */
  connections(): number;
  /** Destroys every open connection (both sides). */
  cut(): void;
  /** New connections are accepted and closed at once (a reset), until `resume`. */
  refuse(): void;
  /** Pass-through again. */
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1';
  const open = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host, port: target.port });
    open.add(client);
    open.add(upstream);
    const teardown = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.on('close', teardown);
    upstream.on('close', teardown);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  const cut = () => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    port,
    connections: () => Math.floor(open.size / 2),
    cut,
    refuse() {
      refusing = true;
    },
    resume() {
      refusing = false;
    },
    async close() {
      cut();
      await Promise.race([
        new Promise<void>((resolve) => server.close(() => resolve())),
        new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
      ]);
    },
  };
}
