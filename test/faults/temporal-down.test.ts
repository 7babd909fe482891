import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOrBuildTemporalCli } from '../../tools/temporal/temporal-cli';
import { startDevServer, type DevServer } from '../../tools/temporal/temporal-dev-server';
import { freePort } from '../../tools/testkit/free-port';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { ADMIN_TOKEN, startStack, testEnv, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { withTenant } from '../../db/sql';

// A Temporal server of this file's own (on a file, so its data outlives a restart), stopped mid-test.
let temporal: DevServer;
let port: number;
let dbFile: string;
let binary: string;
let stack: Stack;
let receiver: Receiver;

const startTemporal = async () => (temporal = await startDevServer({ binary, port, dbFile, logLevel: 'error' }));

beforeAll(async () => {
  binary = await findOrBuildTemporalCli();
  port = await freePort();
  dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'hookline-temporal-')), 'temporal.db');
  await startTemporal();
  stack = await startStack({ TEMPORAL_ADDRESS: temporal.address });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
  await temporal?.stop();
});

async function publish(body: Record<string, unknown>): Promise<number> {
  const res = await fetch(`${stack.api.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

test('events published while Temporal is down are accepted, and each is delivered once it is back, with or without an id', async () => {
  const tenant = await stack.newTenant();
  const endpoints = [await tenant.api.createWebhook({ url: receiver.url }), await tenant.api.createWebhook({ url: receiver.url })];
  temporal.process.kill('SIGKILL');
  await waitFor(() => temporal.process.exitCode !== null || temporal.process.signalCode !== null, { what: 'Temporal to die' });

  const statuses = await Promise.all([
    ...Array.from({ length: 5 }, (_, i) => publish({ tenantId: tenant.id, id: `with-id-${i}`, type: 'card.viewed', data: { i } })),
    ...Array.from({ length: 5 }, (_, i) => publish({ tenantId: tenant.id, type: 'card.viewed', data: { i } })),
  ]);
  expect(statuses).toEqual(Array(10).fill(202));

  await startTemporal();
  await waitFor(() => new Set(receiver.requests.map((r) => `${r.headers['webhook-id']}`)).size === 10 && receiver.requests.length >= 20, {
    timeoutMs: 90_000,
    what: 'all 20 deliveries at the receiver',
  });
  const pending = await waitFor(async () => {
    const [row] = await withTenant(stack.sql, tenant.id, (tx) => tx<{ n: number }[]>`select count(*)::int as n from deliveries where status <> 'success'`);
    return row!.n === 0 && row;
  }, { what: 'every delivery logged as success' });
  expect(pending.n).toBe(0);
  for (const endpoint of endpoints) expect((await tenant.api.listDeliveries(endpoint.id, { limit: 100 })).data).toHaveLength(10);
});

test('`npm run api` starts and accepts events while Temporal is unreachable: publishing never waits for Temporal', async () => {
  const port = await freePort();
  const env = { ...process.env, ...testEnv({ TEMPORAL_ADDRESS: '127.0.0.1:1', PORT: String(port), LOG_LEVEL: 'warn' }) };
  const api = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../bin/api.ts')], { env, stdio: 'ignore' });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, { timeoutMs: 30_000, what: 'the API to start' });
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const tenant = `down-${Date.now()}`;
    expect((await fetch(`${base}/v1/tenants`, { method: 'POST', headers, body: JSON.stringify({ id: tenant }) })).status).toBe(201);
    const res = await fetch(`${base}/v1/events`, { method: 'POST', headers, body: JSON.stringify({ tenantId: tenant, type: 'card.viewed', data: {} }) });
    expect(res.status).toBe(202);
  } finally {
    api.kill('SIGTERM');
  }
});
