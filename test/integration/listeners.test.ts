import { createServer, type Server } from 'node:net';
import { nonJsonLines, startEntry } from '../harness/entry-process';
import { freePort } from '../../tools/testkit/free-port';
import { testEnv } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// The listeners as an operator meets them: a busy port, the bind addresses, the start line, and
// where production serves /metrics.

async function occupy(): Promise<{ port: number; server: Server }> {
  const port = await freePort();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, server };
}

function expectOneLineAndNoStack(lines: string[], message: RegExp) {
  const plain = nonJsonLines(lines);
  expect(plain).toEqual([expect.stringMatching(message)]);
  expect(lines.join('\n')).not.toMatch(/^\s+at /m);
}

describe('a busy port stops the process with one line naming the setting and the port', () => {
  test('the API port (PORT)', async () => {
    const busy = await occupy();
    try {
      const api = startEntry('bin/api.ts', testEnv({ PORT: String(busy.port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }));
      expect(await api.exited).toBe(1);
      expectOneLineAndNoStack([...api.stdout, ...api.stderr], new RegExp(`PORT: 127\\.0\\.0\\.1:${busy.port} is already in use`));
    } finally {
      busy.server.close();
    }
  }, 120_000);

  test('the worker’s metrics port (HOOKLINE_WORKER_METRICS_PORT, the older name of HOOKLINE_METRICS_PORT)', async () => {
    const busy = await occupy();
    try {
      const env = testEnv({ HOOKLINE_WORKER_METRICS_PORT: String(busy.port), HOOKLINE_METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
      const worker = startEntry('bin/worker.ts', env);
      const code = await Promise.race([worker.exited, new Promise((r) => setTimeout(r, 90_000, 'still running'))]);
      await worker.stop();
      expect(code).toBe(1);
      expectOneLineAndNoStack([...worker.stdout, ...worker.stderr], new RegExp(`HOOKLINE_METRICS_PORT: 127\\.0\\.0\\.1:${busy.port} is already in use`));
    } finally {
      busy.server.close();
    }
  }, 120_000);
});

test('with LOG_LEVEL=warn the API still says, in one line, where it listens (HOST and PORT), its version and Temporal', async () => {
  const port = await freePort();
  const api = startEntry('bin/api.ts', testEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }));
  try {
    const line = await waitFor(() => api.stdout.find((l) => l.includes('listening')), { timeoutMs: 90_000, what: 'the start line' });
    expect(JSON.parse(line)).toMatchObject({
      msg: expect.stringContaining(`listening on http://127.0.0.1:${port}`),
      api: `http://127.0.0.1:${port}`,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      temporal: expect.any(String),
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  } finally {
    await api.stop();
  }
}, 120_000);

test('with LOG_LEVEL=warn a worker still says, in one line, that it started, its version and its Temporal', async () => {
  const worker = startEntry('test/harness/worker-process.ts', testEnv({ LOG_LEVEL: 'warn' }));
  try {
    const line = await waitFor(() => worker.stdout.find((l) => l.includes('worker started')), { timeoutMs: 90_000, what: 'the start line' });
    expect(JSON.parse(line)).toMatchObject({ worker: true, version: expect.any(String), temporal: process.env.HOOKLINE_TEST_TEMPORAL_ADDRESS, taskQueue: expect.any(String) });
  } finally {
    await worker.stop();
  }
}, 120_000);

test('in production with no HOOKLINE_METRICS_TOKEN the API listener does not serve /metrics; the metrics listener does, on loopback', async () => {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const env = testEnv({ NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', HOOKLINE_METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn' });
  const api = startEntry('bin/api.ts', env);
  try {
    const line = await waitFor(() => api.stdout.find((l) => l.includes('listening')), { timeoutMs: 90_000, what: 'the start line' });
    expect(JSON.parse(line)).toMatchObject({ metrics: `http://127.0.0.1:${metricsPort}` });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('hookline_events_published_total');
  } finally {
    await api.stop();
  }
}, 120_000);
