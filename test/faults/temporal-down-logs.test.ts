import { findOrBuildTemporalCli } from '../../tools/temporal/temporal-cli';
import { startDevServer, type DevServer } from '../../tools/temporal/temporal-dev-server';
import { freePort } from '../../tools/testkit/free-port';
import { testEnv } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { nonJsonLines, startEntry, type EntryProcess } from '../harness/entry-process';

// A worker whose Temporal goes away: its output stays one JSON stream (the SDK core's retries
// included) and a repeated line is written a bounded number of times, not once per retried call.

const OBSERVE_MS = 25_000;
let temporal: DevServer | undefined;
let worker: EntryProcess | undefined;

afterAll(async () => {
  await worker?.stop();
  await temporal?.stop();
});

test('a worker that loses Temporal logs JSON only, at warn, with repeats bounded', async () => {
  temporal = await startDevServer({ binary: await findOrBuildTemporalCli(), port: await freePort(), logLevel: 'error' });
  worker = startEntry('test/harness/worker-process.ts', testEnv({ TEMPORAL_ADDRESS: temporal.address, LOG_LEVEL: 'info' }));
  await waitFor(() => worker!.stdout.includes('worker ready'), { timeoutMs: 90_000, what: 'the worker to start' });

  temporal.process.kill('SIGKILL');
  const output = () => [...worker!.stdout, ...worker!.stderr].filter((l) => l !== 'worker ready');
  // The core's first complaint about the lost server, as a JSON line (before: coloured text on stderr).
  await waitFor(() => output().some((l) => l.includes('"sdkComponent":"core"')) || nonJsonLines(output()).length > 0, {
    timeoutMs: 60_000,
    what: 'the SDK core to log the outage',
  });
  // Then let the outage last: how often a line repeats is measured over this span.
  await new Promise((resolve) => setTimeout(resolve, OBSERVE_MS));
  const lines = output();

  expect(nonJsonLines(lines).slice(0, 5)).toEqual([]);
  const core = lines.map((l) => JSON.parse(l) as { sdkComponent?: string; level: number; msg: string; target?: string });
  const kinds = new Map<string, number>();
  for (const entry of core.filter((e) => e.sdkComponent === 'core')) {
    const kind = `${entry.target} ${entry.msg.replace(/\d+/g, '#')}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    expect(entry.level).toBeGreaterThanOrEqual(40); // warn and above at LOG_LEVEL=info
  }
  expect(Math.max(0, ...kinds.values())).toBeLessThanOrEqual(2);
}, 180_000);
