import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// An endpoint stored as http (made before NODE_ENV=production, or before a config change) must not
// be sent over http by a production worker. Private targets are allowed here so that only the scheme
// is in question.
let receiver: Receiver;
let dev: Stack;
let prod: Stack;
beforeAll(async () => {
  receiver = await startReceiver();
  dev = await startStack({}, { worker: false });
  prod = await startStack({ NODE_ENV: 'production', HOOKLINE_ALLOW_PRIVATE_TARGETS: 'true', TEMPORAL_TASK_QUEUE: dev.config.temporal.taskQueue });
});
afterAll(async () => {
  await prod?.stop();
  await dev?.stop();
  await receiver?.close();
});

test('a production worker refuses an http endpoint at send time: the delivery fails and no request leaves', async () => {
  const tenant = await dev.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  expect(endpoint.url).toMatch(/^http:/);
  await prod.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  const delivery = await waitFor(async () => {
    const [d] = (await tenant.api.listDeliveries(endpoint.id)).data;
    return d && d.status !== 'pending' && (await tenant.api.getDelivery(d.id));
  }, { what: 'a final delivery' });
  expect(delivery.status).toBe('failed');
  expect(delivery.attempts).toHaveLength(1);
  expect(delivery.attempts[0]).toMatchObject({ responseStatus: null, error: expect.stringMatching(/refused: .*https/) });
  expect(receiver.requests).toEqual([]);
});
