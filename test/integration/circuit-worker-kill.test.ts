import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, testEnv, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process-handle';

// The circuit is the endpoint workflow's state, not a worker's: the worker that opened it is
// SIGKILLed while it is open, and another worker keeps it open, sends the one probe when it is due
// and closes it.
const COOL_DOWN_MS = 8_000;
const env = testEnv({
  HOOKLINE_CIRCUIT_FAILURES: '3',
  HOOKLINE_CIRCUIT_WINDOW: '60s',
  HOOKLINE_CIRCUIT_COOL_DOWN: `${COOL_DOWN_MS}ms`,
  HOOKLINE_RETRY_SCHEDULE: Array(30).fill('300ms').join(','),
  HOOKLINE_DISABLE_AFTER_FAILURES: '1000',
});

let stack: Stack;
let receiver: Receiver;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(env, { worker: false }), startReceiver(500)]);
  workers.push(await startWorkerProcess(env));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await receiver?.close();
  await stack?.stop();
});

test('an open circuit survives the death of the worker that opened it: no sends until the probe, which closes it', async () => {
  const tenant = await stack.newTenant('circuit-kill');
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  for (let i = 0; i < 4; i++) await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } });

  const opened = await waitFor(async () => {
    const e = await tenant.api.getWebhook(endpoint.id);
    return e.circuit.state === 'open' && e;
  }, { what: 'the circuit open' });
  await workers[0]!.kill();
  const killedAt = Date.now();
  const probeAt = Date.parse(opened.circuit.nextProbeAt!);
  receiver.fallback = 200;
  workers.push(await startWorkerProcess(env));

  // Still open on the new worker: the state is in the workflow's history, not the dead worker's memory.
  expect((await tenant.api.getWebhook(endpoint.id)).circuit).toMatchObject({ state: 'open', openedAt: opened.circuit.openedAt });
  await waitFor(async () => (await tenant.api.getWebhook(endpoint.id)).circuit.state === 'closed', { timeoutMs: 90_000, what: 'the circuit closed by a probe' });

  await waitFor(async () => {
    const { data } = await tenant.api.listDeliveries(endpoint.id);
    return data.length === 4 && data.every((d) => d.status === 'success') && data;
  }, { timeoutMs: 60_000, what: 'every delivery a success' });
  // Nothing reached the receiver between the kill and the probe's due time (a send already under way
  // when the circuit opened may land within the first second).
  expect(receiver.requests.filter((r) => r.at > killedAt + 1_000 && r.at < probeAt - 200)).toEqual([]);
  expect(receiver.requests.filter((r) => r.at >= probeAt - 200).length).toBeGreaterThan(0);
}, 180_000);
