import { createSendGate, SendSlotsBusy } from '../../temporal/activities/deliver/send-gate';

const limits = { total: 4, perTenant: 3, perEndpoint: 2, maxWaitMs: 200 };

test('one endpoint holds at most its share; another endpoint and another tenant still get slots', async () => {
  const gate = createSendGate(limits);
  await gate.acquire('t1', 'a');
  await gate.acquire('t1', 'a');
  const third = gate.acquire('t1', 'a'); // waits: endpoint a is full
  const b = await gate.acquire('t1', 'b'); // same tenant, other endpoint: fits (tenant 3 of 3)
  const other = await gate.acquire('t2', 'c'); // other tenant: fits (total 4 of 4)
  expect(gate.inFlight).toBe(4);
  b();
  other();
  await expect(third).rejects.toBeInstanceOf(SendSlotsBusy); // endpoint a never freed a slot
});

test('a waiting send goes as soon as its endpoint frees a slot, oldest first', async () => {
  const gate = createSendGate(limits);
  const first = await gate.acquire('t1', 'a');
  await gate.acquire('t1', 'a');
  const order: string[] = [];
  const w1 = gate.acquire('t1', 'a').then((release) => (order.push('w1'), release));
  const w2 = gate.acquire('t1', 'a').then((release) => (order.push('w2'), release));
  first();
  (await w1)();
  (await w2)();
  expect(order).toEqual(['w1', 'w2']);
});

test('the queue per endpoint is bounded: past it a send is refused at once, not queued', async () => {
  const gate = createSendGate({ ...limits, maxWaitMs: 10_000 });
  await gate.acquire('t1', 'a');
  await gate.acquire('t1', 'a');
  const queued = [gate.acquire('t1', 'a'), gate.acquire('t1', 'a')];
  await expect(gate.acquire('t1', 'a')).rejects.toThrow(/2 sends running and 2 waiting/);
  queued.forEach((p) => p.catch(() => {}));
});

test("an endpoint's own cap (maxInFlight) applies below and above the default share; the tenant's share still bounds it", async () => {
  const gate = createSendGate(limits);
  await gate.acquire('t1', 'slow', 1);
  await expect(gate.acquire('t1', 'slow', 1)).rejects.toBeInstanceOf(SendSlotsBusy); // waits its 200 ms, then gives up
  const big = createSendGate(limits);
  await big.acquire('t1', 'x', 50);
  await big.acquire('t1', 'x', 50);
  await big.acquire('t1', 'x', 50); // a third: over the default share of 2, within its own cap
  await expect(big.acquire('t1', 'x', 50)).rejects.toBeInstanceOf(SendSlotsBusy); // the tenant holds its 3
  await big.acquire('t2', 'y'); // the worker's last slot, for another tenant
});
