import { loadConfig } from '../../infra/config';
import { createRuntime } from '../../bin/runtime';
import { startRelay } from '../../temporal/relay';
import { createHooklineWorker } from '../../temporal/worker';

/**
 * A worker (with its relay) in a process of its own, for tests that SIGKILL it: configured by the
 * environment the test passes, on the suite's prebuilt workflow bundle (no webpack at start).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const runtime = await createRuntime(config, { name: 'test-worker', maxConnections: 4 });
  const worker = await createHooklineWorker({ ...runtime, workflowBundle: { codePath: process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE! } });
  startRelay({ ...runtime, taskQueue: config.temporal.taskQueue, localSend: config.localSend });
  process.stdout.write('worker ready\n');
  await worker.run();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
