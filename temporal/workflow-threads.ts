import { Worker as Thread } from 'node:worker_threads';
import type { Logger, Worker } from '@temporalio/worker';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import { ThreadedVMWorkflowCreator, WorkerThreadClient } from '@temporalio/worker/lib/workflow/threaded-vm';

/** What the SDK's Worker hands its workflow creator (protected in the SDK's types, so named here). */
export type CompiledOptions = Parameters<(typeof Worker)['createWorkflowCreator']>[1];
export type Bundle = Parameters<(typeof Worker)['createWorkflowCreator']>[0];

/**
 * The SDK's workflow thread, started with its global handlers marked installed after only the
 * stack-trace formatter: workflow failures keep their source-mapped stacks, but no promise hook runs.
 * The SDK's hook runs on the creation of every promise in the thread (workflow code and the SDK's
 * own), compiles a function to find the promise's workflow, and captures and source-maps a stack
 * trace, kept only for Temporal's "Stack Trace" query. Workflows then answer that query with
 * "Workflow stack traces are not enabled on this worker".
 * This leans on the SDK's internal modules (pinned in package-lock.json); the replay and
 * workflow-sandbox tests fail if a new SDK moves them.
 */
const THREAD_CODE = `
const { globalHandlers } = require(${JSON.stringify(require.resolve('@temporalio/worker/lib/workflow/vm-shared'))});
globalHandlers.overridePrepareStackTrace();
globalHandlers.installed = true;
require(${JSON.stringify(require.resolve('@temporalio/worker/lib/workflow/workflow-worker-thread'))});
`;

/** As the SDK's ThreadedVMWorkflowCreator.create, on threads running THREAD_CODE. */
export async function createThreadsWithoutPromiseHook(workflowBundle: Bundle, options: CompiledOptions, logger: Logger): Promise<WorkflowCreator> {
  const { patchActivationCallback } = options;
  const clients = Array.from({ length: options.workflowThreadPoolSize }, () => new WorkerThreadClient(new Thread(THREAD_CODE, { eval: true }), logger, patchActivationCallback));
  await Promise.all(
    clients.map((client) =>
      client.send({
        type: 'init',
        workflowBundle,
        isolateExecutionTimeoutMs: options.isolateExecutionTimeoutMs,
        reuseV8Context: true,
        registeredActivityNames: new Set(options.activities.keys()),
        hasPatchActivationCallback: patchActivationCallback !== undefined,
      }),
    ),
  );
  return new ThreadedVMWorkflowCreator(clients);
}
