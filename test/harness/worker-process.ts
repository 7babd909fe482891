import { loadConfig } from '../../infra/config';
import { runHookline } from '../../bin/run';

/**
 * A Hookline worker (and its relay) as a process of its own, for tests that need a second worker or
 * must SIGKILL one: `node --import tsx test/harness/worker-process.ts`, configured by its environment
 * (testEnv() of the test's stack) and running the suite's prebuilt workflow bundle. Says it started
 * on the IPC channel when forked, and on stdout.
 */
void runHookline(loadConfig(process.env), {
  api: false,
  worker: true,
  name: 'hookline-test-worker',
  workflowBundle: { codePath: process.env.HOOKLINE_TEST_WORKFLOW_BUNDLE! },
  onStarted: () => {
    process.send?.('started');
    process.stdout.write('worker ready\n');
  },
}).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
