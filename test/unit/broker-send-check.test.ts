import { brokerDestination } from '../../temporal/activities/deliver/destinations/broker';
import type { DeliveryTarget } from '../../db/queries/attempts';
import type { OutboundMessage } from '../../temporal/activities/deliver/destination';

// The send-time address check of a broker endpoint in production: a private address is refused for
// good, a name that does not resolve now is a failure to retry (DNS comes back), never a lost delivery.
const production = { encryptionKey: undefined as never, production: true, allowPrivateTargets: false };
const send = (serverUrl: string) => {
  const published: unknown[] = [];
  const destination = brokerDestination(production, 'redis', async (p) => (published.push(p), { verdict: 'taken', code: 'taken', detail: '', durationMs: 1 }) as never);
  const target = { config: { serverUrl, stream: 's' }, credentials: null, headers: [] } as unknown as DeliveryTarget;
  return destination.send(target, { endpointId: 'ep_1', eventType: 't', headers: {}, body: '{}' } as unknown as OutboundMessage, { timeoutMs: 1_000 } as never);
};

test('a broker host that does not resolve is retried (dns), not refused', async () => {
  const result = await send('rediss://no-such-host.invalid:6380');
  expect(result).toMatchObject({ refused: false, outcome: 'dns', status: null, error: expect.stringMatching(/^dns: host no-such-host\.invalid does not resolve/) });
});

test('a broker host at a private address is refused for good', async () => {
  const result = await send('rediss://127.0.0.1:6380');
  expect(result).toMatchObject({ refused: true, outcome: 'target_refused' });
});
