import { verifyWebhook, webhookMessageId } from '../../domain/signing';
import { useStackAndReceiver } from '../harness/use-stack';
import { waitFor } from '../../tools/testkit/wait';

const env = useStackAndReceiver();

test('a published event reaches a subscribed endpoint, signed, and is logged as success', async () => {
  const tenant = await env.stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: env.receiver.url, events: ['signing.completed'] });
  const { id } = await env.stack.admin.publish({ tenantId: tenant.id, type: 'signing.completed', data: { documentId: 'doc-1' } });

  const [request] = await env.receiver.waitForRequests(1);
  expect(request!.headers['webhook-id']).toBe(webhookMessageId(tenant.id, id));
  const body = verifyWebhook(endpoint.secret, request!.headers as Record<string, string>, request!.body) as Record<string, unknown>;
  expect(body).toMatchObject({ id, type: 'signing.completed', data: { documentId: 'doc-1' } });

  const delivery = await waitFor(async () => {
    const page = await tenant.api.listDeliveries(endpoint.id);
    return page.data[0]?.status === 'success' && page.data[0];
  });
  const detail = await tenant.api.getDelivery(delivery.id);
  expect(detail.attempts).toHaveLength(1);
  expect(detail.attempts[0]).toMatchObject({ attempt: 1, responseStatus: 200 });
});
