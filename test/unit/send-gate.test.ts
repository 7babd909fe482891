import { ADMITTED_FOR_MS, createSendGate, LANE_WAITING, SendSlotsBusy } from '../../temporal/activities/deliver/send-gate';

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

test("refused sends are given turns spaced by the full lane's average send time over its slots, as a queue would serve them", () => {
  let clock = 0;
  const gate = createSendGate({ total: 10, perTenant: 10, perEndpoint: 2 }, () => clock);
  const refusal = () => {
    try {
      gate.acquire('t1', 'slow');
    } catch (err) {
      if (err instanceof SendSlotsBusy) return err.retryInMs;
    }
    throw new Error('expected a refusal');
  };
  // Before any send has ended, a send is assumed to take a second: two slots serve one every 500 ms.
  const first = [gate.acquire('t1', 'slow'), gate.acquire('t1', 'slow')];
  expect([refusal(), refusal(), refusal()]).toEqual([500, 1_000, 1_500]);
  // The sends take 5 s each (a receiver that hangs until the timeout): turns are 2.5 s apart, after those already given.
  clock = 5_000;
  for (const release of first) release();
  gate.acquire('t1', 'slow');
  gate.acquire('t1', 'slow');
  clock = 5_000;
  expect(refusal()).toBe(0 + 2_500); // the turns given before have passed: the next starts now
  expect(refusal()).toBe(5_000);
});

test('a lane is forgotten a minute after the last turn it gave, once nothing of it runs', () => {
  let clock = 0;
  const gate = createSendGate({ total: 10, perTenant: 10, perEndpoint: 1 }, () => clock);
  const done = gate.acquire('t1', 'a');
  expect(() => gate.acquire('t1', 'a')).toThrow(SendSlotsBusy);
  clock = 4_000;
  done(); // average 4 s
  clock = 5_000;
  const again = gate.acquire('t1', 'a');
  expect(() => gate.acquire('t1', 'a')).toThrow(expect.objectContaining({ retryInMs: 4_000 })); // remembered
  again();
  clock = 70_000;
  const release = gate.acquire('t1', 'a');
  expect(() => gate.acquire('t1', 'a')).toThrow(expect.objectContaining({ retryInMs: 1_000 })); // the average of a forgotten lane starts again
  release();
});

test('deliveries the relay admits count against their tenant and endpoint until their sends ask, their attempts end, or ADMITTED_FOR_MS', () => {
  let clock = 0;
  const gate = createSendGate({ total: 100, perTenant: 50, perEndpoint: 25 }, () => clock);
  expect(gate.tenantRoom().size).toBe(0);
  for (let i = 0; i < 20; i++) gate.admit('t1', 'a', `d${i}`);
  gate.admit('t1', 'b', 'db');
  gate.admit('t1', 'b', 'db'); // the same delivery twice (a row claimed again) counts once
  expect(gate.tenantRoom().get('t1')).toBe(29);
  expect(gate.endpointBusy().get('a')).toBe(20); // a claim made now gives endpoint a (a cap of 25) at most 5 more
  expect(gate.endpointBusy().get('b')).toBe(1);
  // A send that asks takes its admission's place: the room stays what it was.
  const release = gate.acquire('t1', 'a', undefined, 'd0');
  expect(gate.endpointBusy().get('a')).toBe(20);
  expect(gate.tenantRoom().get('t1')).toBe(29);
  // An attempt that ends without sending (a rate slot ahead, an open circuit) gives its room back at once.
  gate.settle('d1');
  gate.settle('d1');
  gate.settle('d0'); // already counted as a send: nothing more to give back
  expect(gate.endpointBusy().get('a')).toBe(19);
  // The others never asked (their first attempts ran elsewhere, or never started): they lapse.
  clock = ADMITTED_FOR_MS;
  expect(gate.endpointBusy().get('a')).toBe(1);
  expect(gate.endpointBusy().has('b')).toBe(false);
  expect(gate.tenantRoom().get('t1')).toBe(49);
  release();
  expect(gate.tenantRoom().size).toBe(0);
});

test('an attempt that ends without sending wakes the relay when its admission had filled a lane', () => {
  const gate = createSendGate({ total: 100, perTenant: 50, perEndpoint: 2 });
  const woken: string[] = [];
  gate.onTenantFreed((t) => woken.push(t));
  gate.admit('t1', 'a', 'd1');
  gate.settle('d1'); // the lane had room left: no one to wake
  expect(woken).toEqual([]);
  gate.admit('t1', 'a', 'd2');
  gate.admit('t1', 'a', 'd3');
  expect(gate.endpointBusy().get('a')).toBe(2);
  gate.settle('d3');
  expect(woken).toEqual(['t1']);
  expect(gate.endpointBusy().get('a')).toBe(1);
});

test("an endpoint's full lane (its own cap) freeing a slot wakes the relay; while its refused sends wait for turns the claim is told it is full", () => {
  const gate = createSendGate({ total: 100, perTenant: 50, perEndpoint: 25 });
  const woken: string[] = [];
  gate.onTenantFreed((t) => woken.push(t));
  const sends = [gate.acquire('t1', 'narrow', 2), gate.acquire('t1', 'narrow', 2)];
  expect(gate.endpointBusy().get('narrow')).toBe(2);
  expect(() => gate.acquire('t1', 'narrow', 2)).toThrow(SendSlotsBusy);
  expect(gate.endpointBusy().get('narrow')).toBe(LANE_WAITING);
  const wide = gate.acquire('t1', 'wide', 40);
  expect(gate.endpointBusy().get('wide')).toBe(1);
  sends[0]!();
  expect(woken).toEqual(['t1']); // the tenant's share was not full, the endpoint's was
  wide();
  expect(woken).toEqual(['t1']);
  sends[1]!();
});

test("the cap the relay is told for an endpoint is its own maxInFlight while the worker knows its lane, else the default share", () => {
  const gate = createSendGate(limits);
  expect(gate.endpointCap('narrow')).toBe(2);
  const release = gate.acquire('t1', 'narrow', 1);
  expect(gate.endpointCap('narrow')).toBe(1);
  release(); // nothing of it runs or waits: the lane is forgotten
  expect(gate.endpointCap('narrow')).toBe(2);
});

test('a send ending while deliveries admitted beside it fill its lane wakes the relay: it held rows back for that lane', () => {
  const gate = createSendGate({ total: 100, perTenant: 50, perEndpoint: 2 });
  const woken: string[] = [];
  gate.onTenantFreed((t) => woken.push(t));
  gate.admit('t1', 'a', 'd1');
  gate.admit('t1', 'a', 'd2');
  const first = gate.acquire('t1', 'a', undefined, 'd1'); // one send running, one admitted: the lane's 2
  first();
  expect(woken).toEqual(['t1']);
  const second = gate.acquire('t1', 'a', undefined, 'd2'); // alone in its lane now
  second();
  expect(woken).toEqual(['t1']);
});
