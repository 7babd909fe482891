import type { Receiver } from '../../tools/testkit/receiver';
import type { Stack } from '../../tools/testkit/stack';

/**
 * A new tenant with one endpoint at `receiver` publishes 8 events one after another; the publish →
 * receipt of each in ms (Infinity for one not arrived within `boundMs` + 2 s). What the fairness
 * tests measure while another tenant misbehaves.
 */
export async function quietTenantLatencies(stack: Stack, receiver: Receiver, boundMs: number): Promise<number[]> {
  const quiet = await stack.newTenant('quiet');
  await quiet.api.createWebhook({ url: receiver.url });
  const latencies: number[] = [];
  for (let i = 0; i < 8; i++) {
    const publishedAt = Date.now();
    const { id } = await stack.admin.publish({ tenantId: quiet.id, type: 'card.viewed', data: { i } });
    const arrived = await arrivalOf(receiver, id, publishedAt + boundMs + 2_000);
    latencies.push(arrived - publishedAt);
  }
  return latencies;
}

async function arrivalOf(receiver: Receiver, eventId: string, deadline: number): Promise<number> {
  for (;;) {
    const hit = receiver.requests.find((r) => (JSON.parse(r.body) as { id: string }).id === eventId);
    if (hit) return hit.at;
    if (Date.now() > deadline) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 25));
  }
}
