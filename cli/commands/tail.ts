import type { Delivery, DeliveryWithAttempts } from '../../api/client';
import { int, str } from '../args';
import type { CommandContext } from '../command';
import { paint, type Output } from '../output';

type Attempt = DeliveryWithAttempts['attempts'][number];

/**
 * Polls the delivery search and prints each attempt once, as it appears. Without --since it starts
 * now (--once: the last hour). Each delivery's attempts are read only when its count grew.
 */
export async function tail({ api, flags, out, stopped }: CommandContext): Promise<void> {
  const once = flags.once === true;
  const since = str(flags, 'since') ?? new Date(Date.now() - (once ? 3_600_000 : 0)).toISOString();
  const intervalMs = int(flags, 'interval') ?? 1_000;
  const filters = { endpointId: str(flags, 'endpoint'), eventType: str(flags, 'event-type'), channel: str(flags, 'channel'), status: str(flags, 'status'), since, limit: 100 };
  const printed = new Map<string, number>();
  let stop = false;
  void stopped.then(() => (stop = true));
  for (;;) {
    const page = await api.searchDeliveries(filters);
    for (const delivery of [...page.data].reverse()) await printNew(delivery);
    if (once || stop) return;
    await Promise.race([new Promise((r) => setTimeout(r, intervalMs)), stopped]);
    if (stop) return;
  }

  async function printNew(delivery: Delivery): Promise<void> {
    const seen = printed.get(delivery.id) ?? 0;
    if (delivery.attemptCount > seen) {
      const full = await api.getDelivery(delivery.id);
      for (const attempt of full.attempts.slice(seen)) out.write(line(out, full, attempt));
      printed.set(delivery.id, full.attempts.length);
    } else if (!printed.has(delivery.id) && delivery.status === 'skipped') {
      out.write(out.json ? JSON.stringify({ deliveryId: delivery.id, status: 'skipped' }) : `${time(delivery.createdAt)}  ${paint(out, 'dim', '- skipped')}  ${delivery.eventType}  ${delivery.id} → ${delivery.endpointId}`);
      printed.set(delivery.id, 0);
    }
  }
}

function line(out: Output, delivery: DeliveryWithAttempts, attempt: Attempt): string {
  if (out.json) return JSON.stringify({ deliveryId: delivery.id, endpointId: delivery.endpointId, eventType: delivery.eventType, status: delivery.status, ...attempt });
  const ok = attempt.responseStatus !== null && attempt.responseStatus < 300;
  const what = attempt.responseStatus === null ? attempt.error ?? 'error' : String(attempt.responseStatus);
  const mark = ok ? paint(out, 'green', `✔ ${what}`) : attempt.nextRetryAt ? paint(out, 'yellow', `↻ ${what}`) : paint(out, 'red', `✘ ${what}`);
  const retry = attempt.nextRetryAt ? paint(out, 'dim', ` next ${time(attempt.nextRetryAt)}`) : '';
  return `${time(attempt.startedAt)}  ${mark}  attempt ${attempt.attempt}  ${attempt.durationMs} ms  ${delivery.eventType}  ${delivery.id} → ${delivery.endpointId}${retry}`;
}

const time = (iso: string) => new Date(iso).toISOString().slice(11, 19);
