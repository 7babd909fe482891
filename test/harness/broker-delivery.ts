import { Webhook } from 'standardwebhooks';
import type { Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

/** One message as a broker consumer got it: the body and the Standard Webhooks values beside it. */
export interface Received {
  body: string;
  headers: Record<string, string>;
}

type Tenant = Awaited<ReturnType<Stack['newTenant']>>;

/** Each message verifies with the standardwebhooks package against the endpoint's secret; returns the parsed bodies. */
export function verifyAll(secret: string, received: Received[]): { id: string; type: string; data: unknown }[] {
  const wh = new Webhook(secret);
  return received.map((m) => {
    expect(m.headers['webhook-event-type']).toBeDefined();
    const body = wh.verify(m.body, { 'webhook-id': m.headers['webhook-id']!, 'webhook-timestamp': m.headers['webhook-timestamp']!, 'webhook-signature': m.headers['webhook-signature']! }) as { id: string; type: string; data: unknown };
    expect(m.headers['webhook-event-type']).toBe(body.type);
    return body;
  });
}

/**
 * Publishes `count` events, one every `everyMs`, starting `midway` (a broker restart) after half of
 * them and publishing on while it runs, so the events after it meet the broker down; returns once
 * both are done.
 */
export async function publishSpread(stack: Stack, tenant: Tenant, count: number, everyMs: number, midway?: () => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  let restart: Promise<void> = Promise.resolve();
  for (let i = 0; i < count; i++) {
    if (midway && i === Math.floor(count / 2)) {
      restart = midway();
      restart.catch(() => undefined); // awaited below
    }
    ids.push((await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { n: i } })).id);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  await restart;
  return ids;
}

/** Waits until every delivery of the endpoint has ended, and returns them with their attempts. */
export async function settledDeliveries(tenant: Tenant, endpointId: string, count: number, timeoutMs = 60_000) {
  const page = await waitFor(async () => {
    const p = await tenant.api.listDeliveries(endpointId, { limit: 100 });
    return p.data.length >= count && p.data.every((d) => d.status !== 'pending') && p;
  }, { timeoutMs, what: `${count} deliveries to settle` });
  return Promise.all(page.data.map((d) => tenant.api.getDelivery(d.id)));
}
