import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server, for tests of a network that stops answering. In
 * `forward` mode it relays both ways and closes one side when the other closes; in `black-hole`
 * mode it accepts new connections and never forwards, answers or closes them (as a firewall that
 * drops packets, without needing root's iptables), until `close()`. With `delayMs`, each chunk
 * from the client reaches the server that much later (in order): a slow link, so a test can see
 * how many requests a client keeps in flight.
 */
export interface TcpProxy {
  port: number;
  blackHole(): void;
  forward(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, opts: { delayMs?: number } = {}): Promise<TcpProxy> {
  let mode: 'forward' | 'black-hole' = 'forward';
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'black-hole') return;
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    if (opts.delayMs) client.on('data', (chunk: Buffer) => setTimeout(() => upstream.write(chunk), opts.delayMs));
    else client.pipe(upstream);
    upstream.pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    blackHole: () => void (mode = 'black-hole'),
    forward: () => void (mode = 'forward'),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
