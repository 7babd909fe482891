import { startStack, type Stack } from '../../tools/testkit/stack';
import { expectError } from '../harness/expect-error';

/** Broker endpoints through the API: their shapes, write-only credentials, and 400s that name the field. */
let stack: Stack;
let tenant: Awaited<ReturnType<Stack['newTenant']>>;

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '50' }, { worker: false });
  tenant = await stack.newTenant();
});
afterAll(() => stack?.stop());

test('a RabbitMQ endpoint answers its type and config, and only which credential fields are set', async () => {
  const created = await tenant.api.createWebhook({
    type: 'rabbitmq',
    config: { serverUrl: 'amqp://127.0.0.1:5672/', exchange: 'webhooks', routingKey: 'hooks' },
    credentials: { username: 'guest', password: 'hunter2-secret' },
  });
  expect(created).toMatchObject({ type: 'rabbitmq', url: 'amqp://127.0.0.1:5672/', config: { exchange: 'webhooks', routingKey: 'hooks' }, credentialsSet: ['password', 'username'] });
  const read = await tenant.api.getWebhook(created.id);
  expect(JSON.stringify(read)).not.toContain('hunter2-secret');
  expect(JSON.stringify(await tenant.api.listWebhooks())).not.toContain('hunter2-secret');
  const [row] = await stack.sql<{ credentialsCiphertext: string }[]>`select credentials_ciphertext from endpoints where id = ${created.id}`;
  expect(row!.credentialsCiphertext).toMatch(/^v1\./);
  expect(row!.credentialsCiphertext).not.toContain('hunter2');

  const cleared = await tenant.api.updateWebhook(created.id, { credentials: null });
  expect(cleared.credentialsSet).toEqual([]);
  const moved = await tenant.api.updateWebhook(created.id, { config: { serverUrl: 'amqps://mq.example.com/prod', exchange: 'events' } });
  expect(moved).toMatchObject({ url: 'amqps://mq.example.com/prod', config: { exchange: 'events' } });
});

test('NATS and Redis endpoints take their own configs; an HTTP endpoint is type http with an empty config', async () => {
  const nats = await tenant.api.createWebhook({ type: 'nats', config: { serverUrl: 'nats://127.0.0.1:4222', subject: 'hooks.{type}' }, credentials: { token: 't0k' } });
  expect(nats).toMatchObject({ type: 'nats', config: { subject: 'hooks.{type}' }, credentialsSet: ['token'] });
  const redis = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379/0', stream: 'hooks', maxLen: 1000 } });
  expect(redis).toMatchObject({ type: 'redis', config: { stream: 'hooks', maxLen: 1000 }, credentialsSet: [] });
  const http = await tenant.api.createWebhook({ url: 'http://127.0.0.1:9/hook' });
  expect(http).toMatchObject({ type: 'http', config: {}, credentialsSet: [] });
});

test.each<[string, Record<string, unknown>, RegExp]>([
  ['an unknown type', { type: 'kafka', config: { serverUrl: 'kafka://x:9092' } }, /invalid_request: type: /],
  ['a broker type without config', { type: 'rabbitmq' }, /invalid_request: config: is required/],
  ['a missing exchange', { type: 'rabbitmq', config: { serverUrl: 'amqp://127.0.0.1/' } }, /invalid_request: config\.exchange: is required/],
  ['a serverUrl of another type', { type: 'rabbitmq', config: { serverUrl: 'redis://127.0.0.1:6379', exchange: 'x' } }, /invalid_request: config\.serverUrl: must use amqp:\/\/ or amqps:\/\//],
  ['a serverUrl with credentials in it', { type: 'redis', config: { serverUrl: 'redis://u:p@127.0.0.1:6379', stream: 's' } }, /invalid_request: config\.serverUrl: must not contain credentials/],
  ['a field of another type', { type: 'nats', config: { serverUrl: 'nats://127.0.0.1:4222', subject: 'a', exchange: 'x' } }, /invalid_request: config\.exchange: is not a field/],
  ['a wildcard subject', { type: 'nats', config: { serverUrl: 'nats://127.0.0.1:4222', subject: 'a.>' } }, /invalid_request: config\.subject: /],
  ['maxLen of the wrong shape', { type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379', stream: 's', maxLen: 'lots' } }, /invalid_request: config\.maxLen: /],
  ['maxLen zero', { type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379', stream: 's', maxLen: 0 } }, /invalid_request: config\.maxLen: /],
  ['credentials of another type', { type: 'rabbitmq', config: { serverUrl: 'amqp://127.0.0.1/', exchange: 'x' }, credentials: { token: 'x' } }, /invalid_request: credentials: for type rabbitmq must be/],
  ['a credential that is not a string', { type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379', stream: 's' }, credentials: { password: 5 } }, /invalid_request: credentials(\.password)?: /],
  ['a url on a broker type', { type: 'redis', url: 'http://x/', config: { serverUrl: 'redis://127.0.0.1:6379', stream: 's' } }, /invalid_request: url: is not used/],
  ['config on an http endpoint', { url: 'http://127.0.0.1:9/', config: { serverUrl: 'redis://127.0.0.1:6379' } }, /invalid_request: config: is only for broker types/],
  ['no url for http', { description: 'x' }, /invalid_request: url: is required/],
])('%s is a 400 naming the field', async (_what, body, message) => {
  await expectError(tenant.api.createWebhook(body as never), 400, message);
});

test('the type of an endpoint cannot change, and an update checks its config against its type', async () => {
  const ep = await tenant.api.createWebhook({ type: 'redis', config: { serverUrl: 'redis://127.0.0.1:6379/0', stream: 'hooks' } });
  await expectError(tenant.api.updateWebhook(ep.id, { type: 'nats' } as never), 400, /invalid_request: type: cannot be changed/);
  await expectError(tenant.api.updateWebhook(ep.id, { config: { serverUrl: 'nats://127.0.0.1:4222', stream: 'x' } }), 400, /invalid_request: config\.serverUrl: /);
  await expectError(tenant.api.updateWebhook(ep.id, { url: 'http://127.0.0.1:9/' }), 400, /invalid_request: url: is not used/);
});

test('in production a broker must use TLS and a public host, as HTTP endpoints do', async () => {
  const prod = await startStack({ NODE_ENV: 'production', HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '50' }, { worker: false });
  try {
    const t = await prod.newTenant();
    await expectError(t.api.createWebhook({ type: 'rabbitmq', config: { serverUrl: 'amqp://mq.example.com/', exchange: 'x' } }), 400, /invalid_request: config\.serverUrl: must use amqps:\/\/ in production/);
    await expectError(t.api.createWebhook({ type: 'redis', config: { serverUrl: 'rediss://127.0.0.1:6379', stream: 's' } }), 400, /invalid_request: config\.serverUrl: .*private or reserved/);
    await expectError(t.api.createWebhook({ type: 'nats', config: { serverUrl: 'tls://10.0.0.8:4222', subject: 's' } }), 400, /invalid_request: config\.serverUrl: .*private or reserved/);
  } finally {
    await prod.stop();
  }
});

test('the OpenAPI document describes the type, config and credentials', async () => {
  const doc = (await (await fetch(`${stack.api.url}/openapi.json`)).json()) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
  expect(Object.keys(doc.components.schemas.Endpoint!.properties!)).toEqual(expect.arrayContaining(['type', 'config', 'credentialsSet']));
  expect(doc.components.schemas.DestinationConfig).toBeDefined();
  expect(doc.components.schemas.DestinationCredentials).toBeDefined();
  expect(Object.keys(doc.components.schemas.Attempt!.properties!)).toContain('outcome');
});
