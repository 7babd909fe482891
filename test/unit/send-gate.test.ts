import { createSendGate, SendSlotsBusy } from '../../temporal/activities/deliver/send-gate';

const limits = { total: 4, perTenant: 3, perEndpoint: 2 };

test('one endpoint holds at most its share; another endpoint and another tenant still get slots', () => {
  const gate = createSendGate(limits);
  const a1 = gate.acquire('t1', 'a');
  gate.acquire('t1', 'a');
  expect(() => gate.acquire('t1', 'a')).toThrow(SendSlotsBusy); // endpoint a is full: refused at once, nothing waits
  const b = gate.acquire('t1', 'b'); // same tenant, other endpoint: fits (tenant 3 of 3)
  expect(() => gate.acquire('t1', 'c')).toThrow(/tenant t1/); // the tenant holds its share
  const other = gate.acquire('t2', 'c'); // other tenant: fits (total 4 of 4)
  expect(gate.inFlight).toBe(4);
  expect(() => gate.acquire('t3', 'd')).toThrow(/every send slot/);
  a1();
  a1(); // a second release changes nothing
  expect(gate.inFlight).toBe(3);
  gate.acquire('t1', 'a'); // the freed slot goes to the next send that asks
  b();
  other();
});

test("an endpoint's own cap (maxInFlight) applies below and above the default share; the tenant's share still bounds it", () => {
  const gate = createSendGate(limits);
  gate.acquire('t1', 'slow', 1);
  expect(() => gate.acquire('t1', 'slow', 1)).toThrow(SendSlotsBusy);
  const big = createSendGate(limits);
  big.acquire('t1', 'x', 50);
  big.acquire('t1', 'x', 50);
  big.acquire('t1', 'x', 50); // a third: over the default share of 2, within its own cap
  expect(() => big.acquire('t1', 'x', 50)).toThrow(SendSlotsBusy); // the tenant holds its 3
  big.acquire('t2', 'y'); // the worker's last slot, for another tenant
});
