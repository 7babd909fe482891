import { createServer as createHttpsServer } from 'node:https';
import { connect as connectNats } from 'nats';
import type { AddressInfo } from 'node:net';
import { HooklineClient } from '../../api/client';
import { makeTestPki } from '../../tools/testkit/certificates';
import { startCheckingReceiver, startTokenServer } from '../harness/auth-servers';
import { decryptSecret } from '../../domain/secrets';
import { workflowIds } from '../../temporal/workflows/types';
import { historyText } from '../harness/history-text';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { ADMIN_TOKEN, TEST_ENCRYPTION_KEY, startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

/** Every answer the API gave, so the test can search the ones that must not hold a secret. */
class RecordingClient extends HooklineClient {
  readonly answers: { call: string; body: unknown }[] = [];
  override async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await super.request<T>(method, path, body);
    this.answers.push({ call: `${method} ${path}`, body: answer });
    return answer;
  }
}

const logLines: string[] = [];
let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startStack({ LOG_LEVEL: 'debug' }, { logLines });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

/**
 * No log line, workflow history of the tenant or of its endpoints, API answer or database row holds
 * any of `forbidden`; the answers searched are at least `leastAnswers`.
 */
async function expectFoundNowhere(forbidden: string[], o: { tenantId: string; endpointIds: string[]; answers: RecordingClient['answers']; leastAnswers: number }) {
  const hits = (where: string, text: string) => forbidden.filter((s) => text.includes(s)).map((s) => `${where}: ${s.slice(0, 12)}…`);
  expect(logLines.flatMap((line, i) => hits(`log line ${i}`, line))).toEqual([]);
  for await (const w of stack.client.workflow.list({ query: `HooklineTenantId = "${o.tenantId}"` })) {
    expect(hits(w.workflowId, await historyText(stack.client, w.workflowId))).toEqual([]);
  }
  for (const id of o.endpointIds) expect(hits(id, await historyText(stack.client, workflowIds.endpoint(id)))).toEqual([]);
  expect(o.answers.length).toBeGreaterThanOrEqual(o.leastAnswers);
  expect(o.answers.flatMap((a) => hits(a.call, JSON.stringify(a.body)))).toEqual([]);
  const tables = await stack.sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public'`;
  for (const { name } of tables) {
    const rows = await stack.sql<{ row: string }[]>`select row_to_json(t)::text as row from ${stack.sql(name)} t`;
    expect(rows.flatMap((r) => hits(`table ${name}`, r.row))).toEqual([]);
  }
}

test('after a full run, no log line, history, API answer or database column holds a secret or key in plaintext', async () => {
  const { id: tenantId, apiKey } = await stack.newTenant('hygiene');
  const api = new RecordingClient({ baseUrl: stack.api.url, token: apiKey });
  const created = await api.createWebhook({ url: receiver.url, events: ['*'] });
  const second = await api.createWebhook({ url: `${receiver.url}?second=1`, events: ['card.viewed'] });
  const { secret: rotated } = await api.rotateSecret(created.id);
  const secrets = [created.secret, second.secret, rotated];
  const marker = `body-marker-${Date.now()}`;

  receiver.fallback = { status: 200 };
  receiver.script(500); // the first attempt fails, so retries and their logs are part of the run
  const published = [];
  for (const type of ['card.viewed', 'signer.created', 'card.viewed']) {
    published.push(await stack.admin.publish({ tenantId, type, data: { marker, card: '4111 1111 1111 1111' } }));
  }
  const { deliveryId: testId } = await api.testWebhook(created.id);
  const settled = async (endpointId: string, n: number) =>
    waitFor(async () => {
      const { data } = await api.listDeliveries(endpointId);
      return data.length >= n && data.every((d) => d.status !== 'pending') && data;
    }, { what: `${n} settled deliveries`, timeoutMs: 60_000 });
  const deliveries = await settled(created.id, 4);
  await settled(second.id, 2);
  await api.redeliver(deliveries[0]!.id);
  await settled(created.id, 5);
  for (const d of deliveries) await api.getDelivery(d.id);
  await api.getWebhook(created.id);
  await api.listWebhooks();
  await api.updateWebhook(second.id, { description: 'renamed' });
  await waitFor(() => logLines.some((l) => l.includes('"path":"/v1/webhooks"')), { what: 'request logs' });

  const forbidden = [...secrets, ...secrets.map((s) => s.slice('whsec_'.length)), apiKey, ADMIN_TOKEN, TEST_ENCRYPTION_KEY];
  const hits = (where: string, text: string) => forbidden.filter((s) => text.includes(s)).map((s) => `${where}: ${s.slice(0, 10)}…`);

  // Logs: every line the API and the activities wrote, at debug level.
  expect(logLines.length).toBeGreaterThan(10);
  expect(logLines.flatMap((line, i) => hits(`log line ${i}`, line))).toEqual([]);

  // Temporal: every workflow of this tenant (deliveries, test, redelivery) and both endpoint workflows.
  const workflowIdsOfRun = [workflowIds.endpoint(created.id), workflowIds.endpoint(second.id)];
  for await (const w of stack.client.workflow.list({ query: `HooklineTenantId = "${tenantId}"` })) workflowIdsOfRun.push(w.workflowId);
  expect(workflowIdsOfRun).toContain(workflowIds.delivery(testId));
  for (const id of new Set(workflowIdsOfRun)) {
    const text = await historyText(stack.client, id);
    expect(hits(id, text)).toEqual([]);
    expect(text).not.toContain(marker);
  }

  // API answers: only the create and rotate answers may carry a secret.
  const others = api.answers.filter((a) => !/^POST \/v1\/webhooks(\/[^/]+\/rotate-secret)?$/.test(a.call));
  expect(others.length).toBeGreaterThan(8);
  expect(others.flatMap((a) => hits(a.call, JSON.stringify(a.body)))).toEqual([]);

  // Database: every row of every table, as text.
  const tables = await stack.sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public'`;
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['api_keys', 'endpoint_secrets', 'endpoints', 'attempts']));
  for (const { name } of tables) {
    const rows = await stack.sql<{ row: string }[]>`select row_to_json(t)::text as row from ${stack.sql(name)} t`;
    expect(rows.flatMap((r) => hits(`table ${name}`, r.row))).toEqual([]);
  }
  expect(published).toHaveLength(3);
});

test('a v1a private key, an imported secret and custom header values appear nowhere: logs, histories, answers, rows', async () => {
  const { id: tenantId, apiKey } = await stack.newTenant('hygiene-keys');
  const api = new RecordingClient({ baseUrl: stack.api.url, token: apiKey });
  const headerValue = `Bearer rcv-${Date.now()}-credential`;
  const imported = `whsec_${Buffer.from(`imported-${Date.now()}-0123456789abcdef`).toString('base64')}`;
  const v1a = await api.createWebhook({ url: receiver.url, events: ['card.viewed'], signatureScheme: 'v1a', headers: { Authorization: headerValue } });
  const v1 = await api.createWebhook({ url: `${receiver.url}?imported=1`, events: ['card.viewed'], secret: imported });
  await stack.admin.publish({ tenantId, type: 'card.viewed', data: {} });
  await waitFor(async () => {
    const lists = await Promise.all([v1a.id, v1.id].map((id) => api.listDeliveries(id)));
    return lists.every((l) => l.data[0]?.status === 'success');
  }, { what: 'both deliveries' });
  await api.getWebhook(v1a.id);
  await api.getPublicKey(v1a.id);

  const [sealed] = await stack.sql<{ ciphertext: string }[]>`select ciphertext from endpoint_secrets where endpoint_id = ${v1a.id}`;
  const privateKey = decryptSecret(Buffer.from(TEST_ENCRYPTION_KEY, 'base64'), sealed!.ciphertext, v1a.id);
  const seed = Buffer.from(privateKey, 'base64').subarray(-32).toString('base64');
  const forbidden = [privateKey, seed, imported, imported.slice('whsec_'.length), headerValue];
  const hits = (where: string, text: string) => forbidden.filter((s) => text.includes(s)).map((s) => `${where}: ${s.slice(0, 10)}…`);

  expect(logLines.flatMap((line, i) => hits(`log line ${i}`, line))).toEqual([]);
  for await (const w of stack.client.workflow.list({ query: `HooklineTenantId = "${tenantId}"` })) {
    expect(hits(w.workflowId, await historyText(stack.client, w.workflowId))).toEqual([]);
  }
  // The private key is in no answer; the imported secret only in its create answer; header values
  // are shown (they are the tenant's own settings, not Hookline's secrets).
  expect(api.answers.flatMap((a) => [privateKey, seed].filter((s) => JSON.stringify(a.body).includes(s)))).toEqual([]);
  expect(api.answers.filter((a) => JSON.stringify(a.body).includes(imported)).map((a) => a.call)).toEqual(['POST /v1/webhooks']);
  for (const name of ['endpoint_secrets', 'endpoints', 'attempts', 'events', 'deliveries', 'outbox']) {
    const rows = await stack.sql<{ row: string }[]>`select row_to_json(t)::text as row from ${stack.sql(name)} t`;
    expect(rows.flatMap((r) => hits(`table ${name}`, r.row).filter((h) => !(name === 'endpoints' && h.includes('Bearer rcv'))))).toEqual([]);
  }
});

test('endpoint auth secrets, OAuth2 access tokens and client keys appear nowhere: logs, histories, answers, rows', async () => {
  const { id: tenantId, apiKey } = await stack.newTenant('hygiene-auth');
  const api = new RecordingClient({ baseUrl: stack.api.url, token: apiKey });
  const pki = makeTestPki();
  const client = { id: 'hygiene-client', secret: `oauth-client-secret-${Date.now()}` };
  const tokens = await startTokenServer(client);
  const password = `basic-password-${Date.now()}`;
  const bearer = `bearer-token-${Date.now()}`;
  const checking = await startCheckingReceiver((a) => a === `Bearer ${bearer}` || a?.startsWith('Basic ') || tokens.valid(a));
  const tlsServer = createHttpsServer({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  try {
    const basic = await api.createWebhook({ url: checking.url, events: ['card.viewed'], auth: { type: 'basic', username: 'hygiene-user', password } });
    const bearerEndpoint = await api.createWebhook({ url: `${checking.url}?b=1`, events: ['card.viewed'], auth: { type: 'bearer', token: 'placeholder' } });
    await api.updateWebhook(bearerEndpoint.id, { auth: { type: 'bearer', token: bearer } });
    const oauth = await api.createWebhook({ url: `${checking.url}?o=1`, events: ['card.viewed'], auth: { type: 'oauth2', tokenUrl: tokens.url, clientId: client.id, clientSecret: client.secret } });
    const mtls = await api.createWebhook({
      url: `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}/hook`,
      events: ['card.viewed'],
      tls: { clientCertificate: pki.client.cert, clientKey: pki.client.key, caCertificate: pki.ca.cert },
    });
    // A 401 refreshes the token once, so two access tokens pass through the worker.
    checking.requests.length = 0;
    tokens.failNext.push('down');
    await stack.admin.publish({ tenantId, type: 'card.viewed', data: {} });
    const ids = [basic.id, bearerEndpoint.id, oauth.id, mtls.id];
    const allDelivered = () => waitFor(async () => {
      const lists = await Promise.all(ids.map((id) => api.listDeliveries(id)));
      return lists.every((l) => l.data.length > 0 && l.data.every((d) => d.status === 'success')) && lists;
    }, { what: 'every endpoint delivered', timeoutMs: 60_000 });
    await allDelivered();
    tokens.revokeAll();
    await stack.admin.publish({ tenantId, type: 'card.viewed', data: {} });
    const lists = await waitFor(async () => {
      const l = await Promise.all(ids.map((id) => api.listDeliveries(id)));
      return l.every((x) => x.data.length === 2 && x.data.every((d) => d.status === 'success')) && l;
    }, { what: 'second round delivered', timeoutMs: 60_000 });
    for (const l of lists) for (const d of l.data) await api.getDelivery(d.id);
    for (const id of ids) await api.getWebhook(id);
    await api.listWebhooks();
    expect(tokens.issued.length).toBe(2);

    const keyBody = pki.client.key.split('\n').filter((l) => l && !l.startsWith('-----'));
    const forbidden = [password, Buffer.from(`hygiene-user:${password}`).toString('base64'), bearer, client.secret, ...tokens.issued, ...keyBody];
    await expectFoundNowhere(forbidden, { tenantId, endpointIds: ids, answers: api.answers, leastAnswers: 11 });
    // Sealed, and each bound to its endpoint and purpose.
    const [row] = await stack.sql<{ authCiphertext: string }[]>`select auth_ciphertext from endpoints where id = ${oauth.id}`;
    const key = Buffer.from(TEST_ENCRYPTION_KEY, 'base64');
    expect(JSON.parse(decryptSecret(key, row!.authCiphertext, `${oauth.id}:auth`))).toMatchObject({ clientSecret: client.secret });
    expect(() => decryptSecret(key, row!.authCiphertext, oauth.id)).toThrow();
  } finally {
    tlsServer.closeAllConnections();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    await tokens.close();
    await checking.close();
  }
});

test('broker credentials (RabbitMQ, NATS, Redis) appear nowhere: logs, histories, answers, rows, attempt logs', async () => {
  const { id: tenantId, apiKey } = await stack.newTenant('hygiene-brokers');
  const api = new RecordingClient({ baseUrl: stack.api.url, token: apiKey });
  const stamp = Date.now();
  const rabbitPassword = `rabbit-password-${stamp}`;
  const natsToken = `nats-token-${stamp}`;
  const redisPassword = `redis-password-${stamp}`;
  const stream = `HYGIENE_${stamp}`;
  const nc = await connectNats({ servers: 'nats://127.0.0.1:4222' });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  try {
    // The shared NATS takes any token (it has no auth); RabbitMQ and Redis refuse these, so the
    // failure path's logs and the brokers' words on the attempts are searched too.
    const nats = await api.createWebhook({ type: 'nats', config: { serverUrl: 'nats://127.0.0.1:4222', subject: `${stream}.{type}` }, credentials: { token: natsToken } });
    const rabbit = await api.createWebhook({ type: 'rabbitmq', config: { serverUrl: 'amqp://127.0.0.1:5672/', exchange: 'amq.topic' }, credentials: { username: 'guest', password: rabbitPassword } });
    const redis = await api.createWebhook({ type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379/0', stream: `hygiene-${stamp}` }, credentials: { username: 'hygiene-user', password: redisPassword } });
    const ids = [nats.id, rabbit.id, redis.id];
    await stack.admin.publish({ tenantId, type: 'card.viewed', data: {} });
    const lists = await waitFor(async () => {
      const l = await Promise.all(ids.map((id) => api.listDeliveries(id)));
      return l.every((x) => x.data.length === 1 && x.data[0]!.status !== 'pending') && l;
    }, { what: 'every broker delivery settled', timeoutMs: 60_000 });
    expect(lists.map((l) => l.data[0]!.status)).toEqual(['success', 'failed', 'failed']);
    const details = await Promise.all(lists.map((l) => api.getDelivery(l.data[0]!.id)));
    expect(details.map((d) => d.attempts[0]?.outcome)).toEqual(['acked', 'auth_failed', 'auth_failed']);
    for (const id of ids) await api.getWebhook(id);
    await api.listWebhooks();

    const forbidden = [rabbitPassword, natsToken, redisPassword];
    await expectFoundNowhere(forbidden, { tenantId, endpointIds: ids, answers: api.answers, leastAnswers: 7 });
    const [row] = await stack.sql<{ credentialsCiphertext: string }[]>`select credentials_ciphertext from endpoints where id = ${rabbit.id}`;
    expect(decryptSecret(Buffer.from(TEST_ENCRYPTION_KEY, 'base64'), row!.credentialsCiphertext, `${rabbit.id}:credentials`)).toContain(rabbitPassword);
  } finally {
    await jsm.streams.delete(stream);
    await nc.close();
  }
});
