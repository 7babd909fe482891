import { runHookline } from '../../bin/run';
import { loadConfig } from '../../infra/config';
import { freePort } from '../../tools/testkit/free-port';
import { startReceiver } from '../../tools/testkit/receiver';
import { ADMIN_TOKEN, startStack, testEnv, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

const METRICS_TOKEN = 'metrics-token-0123456789';
const withToken = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } };

async function expectUnauthorized(url: string, authorization?: string) {
  const res = await fetch(url, { headers: authorization ? { authorization } : {} });
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) } });
}

describe('the API’s /metrics', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ HOOKLINE_METRICS_TOKEN: METRICS_TOKEN }, { worker: false });
  });
  afterAll(() => stack?.stop());

  test('with HOOKLINE_METRICS_TOKEN set, /metrics needs that bearer token; /healthz stays open', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Bearer ${ADMIN_TOKEN}`]) {
      await expectUnauthorized(`${stack.api.url}/metrics`, authorization);
    }
    const res = await fetch(`${stack.api.url}/metrics`, withToken);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('hookline_events_published_total');
    expect((await fetch(`${stack.api.url}/healthz`)).status).toBe(200);
  });

  test('a scrape scans no table: it answers while deliveries and endpoints are locked against every reader', async () => {
    const scraped = await stack.sql.begin(async (tx) => {
      await tx`lock table deliveries, endpoints in access exclusive mode`;
      const res = await fetch(`${stack.api.url}/metrics`, { ...withToken, signal: AbortSignal.timeout(5_000) });
      return { status: res.status, text: await res.text() };
    });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('hookline_events_published_total');
  });
});

test('a worker alone serves /metrics (its delivery counters) and /healthz on HOOKLINE_WORKER_METRICS_PORT', async () => {
  const port = await freePort();
  const env = testEnv({ HOOKLINE_WORKER_METRICS_PORT: String(port), HOOKLINE_METRICS_TOKEN: METRICS_TOKEN });
  const api = await startStack({ TEMPORAL_TASK_QUEUE: env.TEMPORAL_TASK_QUEUE! }, { worker: false });
  const receiver = await startReceiver();
  let stop!: () => void;
  let started!: () => void;
  const isStarted = new Promise<void>((resolve) => (started = resolve));
  const worker = runHookline(loadConfig(env), {
    api: false,
    worker: true,
    name: 'hookline-worker',
    workflowBundle: { codePath: process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE! },
    until: new Promise<void>((resolve) => (stop = resolve)),
    onStarted: () => started(),
  });
  try {
    await Promise.race([isStarted, worker]);
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: 'ok' });
    await expectUnauthorized(`${base}/metrics`);

    const tenant = await api.newTenant();
    await tenant.api.createWebhook({ url: receiver.url });
    await api.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    await receiver.waitForRequests(1);
    const text = await waitFor(async () => {
      const body = await (await fetch(`${base}/metrics`, withToken)).text();
      return /^hookline_deliveries_completed_total\{status="success"\} 1$/m.test(body) && body;
    }, { what: 'the success counted at the worker' });
    expect(text).toMatch(/^hookline_attempt_duration_seconds_count\{outcome="200"\} 1$/m);
    expect(text).toMatch(/^hookline_outbox_relayed_total [1-9]/m);
  } finally {
    stop();
    await worker;
    await receiver.close();
    await api.stop();
  }
});
