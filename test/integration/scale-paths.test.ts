import { webhookMessageId } from '../../domain/signing';
import { DELIVERIES_PER_OUTBOX_ROW } from '../../services/publish';
import { waitFor } from '../../tools/testkit/wait';
import { useStackAndReceiver } from '../harness/use-stack';

const env = useStackAndReceiver({ HOOKLINE_MAX_ENDPOINTS_PER_TENANT: '200', HOOKLINE_RETRY_SCHEDULE: '50ms', HOOKLINE_DISABLE_AFTER_FAILURES: '1000' });

test('an event with more subscribers than one outbox row carries reaches them all, and the outbox empties', async () => {
  const tenant = await env.stack.newTenant();
  const count = DELIVERIES_PER_OUTBOX_ROW + 10;
  for (let i = 0; i < count; i++) await tenant.api.createWebhook({ url: `${env.receiver.url}?n=${i}` });
  const { id } = await env.stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await env.receiver.waitForRequests(count, 60_000);
  const received = env.receiver.requests.filter((r) => r.headers['webhook-id'] === webhookMessageId(tenant.id, id));
  expect(new Set(received.map((r) => r.url)).size).toBe(count);
  await waitFor(async () => {
    const [row] = await env.stack.sql<{ n: number }[]>`select count(*)::int as n from outbox where tenant_id = ${tenant.id}`;
    return row!.n === 0;
  }, { what: 'the outbox to be empty' });
});
