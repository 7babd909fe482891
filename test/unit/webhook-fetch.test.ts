import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookFetch, TargetRefusedError } from '../../infra/webhook-fetch';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

describe('the send-time scheme check', () => {
  test('with https required (production), an http URL is refused before any byte leaves', async () => {
    const send = createWebhookFetch({ refusePrivateTargets: false, requireHttps: true });
    const err = await send(receiver.url, { method: 'POST', body: '{}' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TargetRefusedError);
    expect((err as Error).message).toMatch(/https/);
    expect(receiver.requests).toHaveLength(0);
  });

  test('without it (development), the same URL is sent', async () => {
    const send = createWebhookFetch({ refusePrivateTargets: false, requireHttps: false });
    expect((await send(receiver.url, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('the send-time metadata check', () => {
  test.each([
    ['private targets refused', { refusePrivateTargets: true }],
    ['private targets allowed, production', { refusePrivateTargets: false, refuseMetadataTargets: true }],
  ])('%s: a metadata address or host name is refused before any byte leaves', async (_what, opts) => {
    const send = createWebhookFetch(opts);
    for (const url of ['https://168.63.129.16/machine', 'https://[fd00:ec2::254]/latest', 'https://metadata.google.internal/computeMetadata/v1/']) {
      const err = await send(url, { method: 'POST', body: '{}' }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(TargetRefusedError);
      expect((err as Error).message).toMatch(/cloud metadata service/);
    }
  });

  test('with private targets allowed, a private receiver is still reached', async () => {
    const send = createWebhookFetch({ refusePrivateTargets: false, refuseMetadataTargets: true });
    expect((await send(receiver.url, { method: 'POST', body: '{}' })).status).toBe(200);
  });
});

describe('the delivery POST (undici request, on the same pools and checks)', () => {
  let server: Server;
  let base: string;
  let sockets = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const [, what] = /^\/(\w+)/.exec(req.url ?? '/') ?? [];
        if (what === 'long') return res.writeHead(500, { 'retry-after': '7' }).end('x'.repeat(64 * 1024));
        if (what === 'empty') return res.writeHead(204).end();
        if (what === 'moved') return res.writeHead(302, { location: 'https://elsewhere.example/' }).end('moved');
        if (what === 'twice') return res.writeHead(200, [['x-seen', 'a'], ['x-seen', 'b']]).end('ok');
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.url} ${req.headers['webhook-id']}`);
      });
    });
    server.on('connection', () => sockets++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = createWebhookFetch({ refusePrivateTargets: false }).post;
  const request = (timeoutMs = 5_000) => ({ headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' }, body: '{}', signal: AbortSignal.timeout(timeoutMs) });

  test('sends the path and query with the headers, and answers the status and body', async () => {
    const answer = await post(`${base}/hook?x=1`, request());
    expect(answer.status).toBe(200);
    expect(answer.header('Content-Type')).toBe('text/plain');
    expect(await answer.text(1024)).toBe('POST /hook?x=1 msg_1');
  });

  test('a long answer is read to the limit only, and the pool sends again after it', async () => {
    const answer = await post(`${base}/long`, request());
    expect([answer.status, answer.header('retry-after')]).toEqual([500, '7']);
    expect(await answer.text(1024)).toBe('x'.repeat(1024));
    expect((await post(`${base}/after`, request())).status).toBe(200);
  });

  test('a redirect is answered, not followed; repeated headers are joined; 204 has no body', async () => {
    const moved = await post(`${base}/moved`, request());
    expect([moved.status, moved.header('location')]).toEqual([302, 'https://elsewhere.example/']);
    await moved.discard();
    const twice = await post(`${base}/twice`, request());
    expect(twice.header('x-seen')).toBe('a, b');
    await twice.discard();
    const empty = await post(`${base}/empty`, request());
    expect([empty.status, await empty.text(1024)]).toEqual([204, null]);
  });

  test('keep-alive: sequential sends whose answers are read share one connection', async () => {
    await (await post(`${base}/warm`, request())).text(1024);
    const before = sockets;
    for (let i = 0; i < 20; i++) await (await post(`${base}/again`, request())).text(1024);
    expect(sockets - before).toBe(0);
  });

  test('refused targets and refused connections reject, naming why', async () => {
    const guarded = createWebhookFetch({ refusePrivateTargets: true });
    await expect(guarded.post(`${base}/hook`, request())).rejects.toBeInstanceOf(TargetRefusedError);
    await expect(guarded.post('https://169.254.169.254/latest', request())).rejects.toThrow(/cloud metadata service/);
    await expect(post('http://127.0.0.1:1/', request())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
