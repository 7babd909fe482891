import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { historyFromJson } from '../tools/record-histories';
import { bundleOptions } from '../temporal/workflow-bundles';
import { sandboxedWorker } from '../temporal/workflow-sandbox';

/**
 * What the workflow sandbox costs per delivery workflow, without a server: replays N copies of the
 * recorded first-try delivery (a local first attempt, 6 events) on the SDK's sandbox (a `vm` timeout
 * on every entry, a promise hook), on Hookline's with stack traces on (the hook) and on Hookline's
 * (temporal/workflow-sandbox.ts), in turn, two rounds, in this process.
 * `npx tsx bench/sandbox-replay.ts [N] [SDK|Hookline]` prints wall and CPU ms per workflow (of one sandbox only when named).
 */
const N = Number(process.argv[2] ?? 1_000);
const HISTORY = path.join(__dirname, '..', 'test', 'fixtures', 'histories', 'v6-delivery-local-first-success.json');

async function replay(worker: typeof Worker, codePath: string): Promise<{ wallMs: number; cpuMs: number }> {
  const history = historyFromJson(JSON.parse(readFileSync(HISTORY, 'utf8')));
  const started = performance.now();
  const cpu = process.cpuUsage();
  const histories = Array.from({ length: N }, (_, i) => ({ workflowId: `replay-${i}`, history }));
  for await (const result of worker.runReplayHistories({ workflowBundle: { codePath } }, histories)) if (result.error) throw result.error;
  const used = process.cpuUsage(cpu);
  return { wallMs: (performance.now() - started) / N, cpuMs: (used.user + used.system) / 1_000 / N };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { code } = await bundleWorkflowCode({ ...bundleOptions('plain'), logger: new DefaultLogger('ERROR') });
  const codePath = path.join(tmpdir(), `hookline-sandbox-bench-${process.pid}.js`);
  writeFileSync(codePath, code);
  const sandboxes = [
    ['SDK sandbox (vm timeout per entry)', Worker],
    ['Hookline sandbox with stack traces', sandboxedWorker({ stackTraces: true })],
    ['Hookline sandbox', sandboxedWorker()],
  ] as const;
  for (let round = 1; round <= 2; round++) {
    for (const [name, worker] of sandboxes.filter(([n]) => !process.argv[3] || n.startsWith(process.argv[3]))) {
      const r = await replay(worker, codePath);
      console.log(`round ${round}  ${name.padEnd(38)} ${r.wallMs.toFixed(2)} ms wall, ${r.cpuMs.toFixed(2)} ms CPU per workflow`);
    }
  }
}

void main();
