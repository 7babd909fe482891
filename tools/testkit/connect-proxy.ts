import { createServer, type IncomingMessage } from 'node:http';
import net, { type AddressInfo } from 'node:net';

/** One CONNECT tunnel the proxy opened: its target, and the bytes the client sent through it. */
export interface Tunnel {
  target: string;
  proxyAuthorization: string | undefined;
  sent: Buffer[];
}

/** A CONNECT proxy on 127.0.0.1 (an egress proxy), with Basic proxy credentials, that records its tunnels. */
export interface ConnectProxy {
  url: string;
  port: number;
  tunnels: Tunnel[];
  /** CONNECTs refused for missing or wrong credentials. */
  refused: number;
  /** Plain-text requests seen inside tunnels (https ones are opaque): their request lines (a body has no line end, so they are found anywhere). */
  plainRequests(): string[];
  close(): Promise<void>;
}

export async function startConnectProxy(credentials: { user: string; password: string }): Promise<ConnectProxy> {
  const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  const sockets = new Set<net.Socket>();
  const proxy = { tunnels: [], refused: 0 } as unknown as ConnectProxy;
  const server = createServer((_req, res) => res.writeHead(405).end('CONNECT only'));
  server.on('connect', (req: IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    if (req.headers['proxy-authorization'] !== expected) {
      proxy.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="egress"\r\n\r\n');
      return;
    }
    const tunnel: Tunnel = { target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'], sent: [] };
    proxy.tunnels.push(tunnel);
    const [host, port] = [tunnel.target.slice(0, tunnel.target.lastIndexOf(':')), Number(tunnel.target.slice(tunnel.target.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.on('data', (chunk: Buffer) => tunnel.sent.push(chunk));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    const closeBoth = () => (client.destroy(), upstream.destroy());
    upstream.on('error', closeBoth);
    client.on('error', closeBoth);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    port,
    url: `http://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`,
    plainRequests: () => proxy.tunnels.flatMap((t) => Buffer.concat(t.sent).toString('latin1').match(/(?:GET|POST|PUT|PATCH|DELETE|HEAD) \/\S* HTTP\/1\.1(?=\r\n)/g) ?? []),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}
