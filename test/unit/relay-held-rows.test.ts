import type { ClaimRoom, OutboxRow } from '../../db/queries/outbox';
import { mayHaveHeldRows } from '../../temporal/relay';

const deliver = (tenantId: string, ...endpointIds: string[]): OutboxRow => ({
  id: '1',
  tenantId,
  attempts: 0,
  kind: 'deliver',
  payload: { eventId: 'evt', eventType: 'card.viewed', deliveries: endpointIds.map((endpointId, i) => ({ id: `d${i}`, endpointId, kind: 'event' })) },
});
const room = (r: Partial<ClaimRoom> = {}): ClaimRoom => ({ perTenant: 4, room: new Map(), perEndpoint: 2, endpointBusy: new Map(), ...r });
const caps = (own: Record<string, number> = {}) => (endpointId: string) => own[endpointId] ?? 2;

test('a claim that took less than every room allowed held nothing back', () => {
  expect(mayHaveHeldRows([deliver('t1', 'a')], room(), caps())).toBe(false);
  expect(mayHaveHeldRows([deliver('t1', 'a'), deliver('t2', 'b')], room(), caps())).toBe(false);
  expect(mayHaveHeldRows([deliver('t1', 'a', 'b', 'c')], room(), caps())).toBe(false); // a fan-out counts for its tenant only
  expect(mayHaveHeldRows([{ id: '2', tenantId: 't1', attempts: 0, kind: 'set_enabled', payload: { endpointId: 'a', enabled: true } }], room(), caps())).toBe(false);
});

test("a claim that took an endpoint's or a tenant's whole room may have held rows back", () => {
  expect(mayHaveHeldRows([deliver('t1', 'a'), deliver('t1', 'a')], room(), caps())).toBe(true); // a's share of 2
  expect(mayHaveHeldRows([deliver('t1', 'a')], room({ endpointBusy: new Map([['a', 1]]) }), caps())).toBe(true); // 1 running + 1 claimed
  expect(mayHaveHeldRows([deliver('t1', 'a', 'b', 'c', 'd')], room(), caps())).toBe(true); // the tenant's share of 4
  expect(mayHaveHeldRows([deliver('t1', 'a')], room({ room: new Map([['t1', 1]]) }), caps({ a: 10 }))).toBe(true); // the tenant had 1 left
  expect(mayHaveHeldRows([deliver('t1', 'a'), deliver('t1', 'a')], room(), caps({ a: 10 }))).toBe(false); // a's own cap is 10
});

test('a claim made while some tenant or endpoint had no room left may have held rows back for it', () => {
  expect(mayHaveHeldRows([], room({ room: new Map([['t9', 0]]) }), caps())).toBe(true);
  expect(mayHaveHeldRows([deliver('t1', 'a')], room({ endpointBusy: new Map([['z', 2]]) }), caps())).toBe(true);
});
