import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones, as a dead or unreachable server would. */
  cut(): void;
  restore(): void;
  /** Holds every chunk from the client to the server back this long (0: none), in order. */
  delayRequests(ms: number): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 that a test can cut and restore, to break a dependency on purpose. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let down = false;
  let delayMs = 0;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    if (down) return void client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    // Equal timeouts fire in the order they were set, so delayed chunks keep their order.
    client.on('data', (chunk: Buffer) => (delayMs ? setTimeout(() => upstream.destroyed || upstream.write(chunk), delayMs) : upstream.write(chunk)));
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    down = true;
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    cut,
    restore() {
      down = false;
    },
    delayRequests(ms: number) {
      delayMs = ms;
    },
    close() {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
