import { randomBytes } from 'node:crypto';
import { claimDue, type OutboxRow } from '../../db/queries/outbox';
import { createSql, type Sql } from '../../db/sql';
import { LANE_WAITING } from '../../temporal/activities/deliver/send-gate';
import { ADMIN_TOKEN } from '../../tools/testkit/stack';
import { useApp } from '../harness/use-app';

// The claim itself (hookline_outbox_claim, migration 024), on rows the API wrote to a task queue no
// relay reads: what one claim takes of a tenant's backlog, given the worker's room.
const env = useApp({ TEMPORAL_TASK_QUEUE: `claim-room-${randomBytes(4).toString('hex')}` });
let sql: Sql;
beforeAll(() => {
  sql = createSql(env.config.databaseUrl, { max: 1 });
});
afterAll(() => sql?.end({ timeout: 5 }));

async function webhook(apiKey: string, body: Record<string, unknown>): Promise<string> {
  const res = await env.call('POST', '/v1/webhooks', { token: apiKey, body: { url: 'https://receiver.example/hook', ...body } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** What one claim would take (locked and let go again: the rows stay for the next test). */
async function claimOnce(room: { perTenant: number; perEndpoint: number; endpointBusy?: Map<string, number> }): Promise<OutboxRow[]> {
  let rows: OutboxRow[] = [];
  await sql
    .begin(async (tx) => {
      rows = await claimDue(tx, env.config.temporal.taskQueue, 100, { perTenant: room.perTenant, room: new Map(), perEndpoint: room.perEndpoint, endpointBusy: room.endpointBusy ?? new Map() });
      throw new Error('roll back');
    })
    .catch((err: Error) => {
      if (err.message !== 'roll back') throw err;
    });
  return rows;
}

/** Delivery rows claimed, by their one endpoint ('fan-out' for a row of several). */
function countBy(rows: OutboxRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    if (row.kind !== 'deliver') continue; // the endpoints' own workflows, started once each
    const key = row.payload.deliveries.length === 1 ? row.payload.deliveries[0]!.endpointId : 'fan-out';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

test("one claim takes no more of one endpoint's backlog than its cap leaves; FIFO and rate-limited endpoints' rows and fan-outs count for their tenant only", async () => {
  const { id: tenantId, apiKey } = await env.newTenant();
  const a = await webhook(apiKey, { events: ['signer.created', 'card.viewed'] });
  const b = await webhook(apiKey, { events: ['signer.updated', 'card.viewed'] });
  const narrow = await webhook(apiKey, { events: ['policy.violated'], maxInFlight: 2 });
  const fifo = await webhook(apiKey, { events: ['signer.revoked'], ordering: 'fifo' });
  const paced = await webhook(apiKey, { events: ['contact.saved'], rateLimit: 5 });
  const publish = async (type: string, n: number) => {
    for (let i = 0; i < n; i++) expect((await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body: { tenantId, type, data: { i } } })).status).toBe(202);
  };
  await publish('card.viewed', 2); // one row per event, for both a and b
  await publish('signer.created', 6);
  await publish('signer.updated', 6);
  await publish('policy.violated', 6);
  await publish('signer.revoked', 8);
  await publish('contact.saved', 8);

  // A share of 100 per endpoint: every row, but only 2 of narrow's (its own maxInFlight).
  const every = { 'fan-out': 2, [a]: 6, [b]: 6, [narrow]: 2, [fifo]: 8, [paced]: 8 };
  expect(countBy(await claimOnce({ perTenant: 100, perEndpoint: 100 }))).toEqual(every);
  // A share of 3, with 2 of b's and 1 of narrow's running or admitted in this worker.
  expect(countBy(await claimOnce({ perTenant: 100, perEndpoint: 3, endpointBusy: new Map([[b, 2], [narrow, 1]]) }))).toEqual({ ...every, [a]: 3, [b]: 1, [narrow]: 1 });
  // b's lane full and narrow's refused sends waiting for turns: none of theirs this time. FIFO and
  // rate-limited endpoints are not held by theirs.
  expect(countBy(await claimOnce({ perTenant: 100, perEndpoint: 3, endpointBusy: new Map([[b, 3], [narrow, LANE_WAITING], [fifo, 50], [paced, 50]]) }))).toEqual({
    'fan-out': 2,
    [a]: 3,
    [fifo]: 8,
    [paced]: 8,
  });
});

test("two relays claiming at once share one endpoint's backlog: the second takes the next rows, not nothing", async () => {
  const { id: tenantId, apiKey } = await env.newTenant();
  const hot = await webhook(apiKey, { events: ['signer.created'] });
  for (let i = 0; i < 6; i++) expect((await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body: { tenantId, type: 'signer.created', data: { i } } })).status).toBe(202);
  const room = { perTenant: 100, room: new Map<string, number>(), perEndpoint: 2, endpointBusy: new Map<string, number>() };
  const second = createSql(env.config.databaseUrl, { max: 1 });
  const idsOf = (rows: OutboxRow[]) => rows.filter((r) => r.kind === 'deliver' && r.payload.deliveries[0]!.endpointId === hot).map((r) => r.id);
  try {
    // The first relay's claim holds its rows (its transaction is open) while the second claims.
    await sql
      .begin(async (tx) => {
        const first = idsOf(await claimDue(tx, env.config.temporal.taskQueue, 100, room));
        expect(first).toHaveLength(2);
        await second
          .begin(async (tx2) => {
            const next = idsOf(await claimDue(tx2, env.config.temporal.taskQueue, 100, room));
            expect(next).toHaveLength(2);
            expect(next.filter((id) => first.includes(id))).toEqual([]);
            throw new Error('roll back');
          })
          .catch((err: Error) => {
            if (err.message !== 'roll back') throw err;
          });
        throw new Error('roll back');
      })
      .catch((err: Error) => {
        if (err.message !== 'roll back') throw err;
      });
  } finally {
    await second.end({ timeout: 5 });
  }
});
