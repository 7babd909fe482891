import { Worker, type Logger } from '@temporalio/worker';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import { guardStalls, type OnWorkflowStall } from './workflow-stall-guard';
import { createThreadsWithoutPromiseHook, type Bundle, type CompiledOptions } from './workflow-threads';

export type { OnWorkflowStall } from './workflow-stall-guard';

export interface SandboxOptions {
  /** Workflow code that has not answered an activation for `stallMs` calls `onStall` (HOOKLINE_WORKFLOW_STALL_LIMIT). */
  stall?: { stallMs: number; onStall: OnWorkflowStall };
  /** Record where every workflow promise was made, for Temporal's "Stack Trace" query (HOOKLINE_WORKFLOW_STACK_TRACES). */
  stackTraces?: boolean;
}

/**
 * The SDK's Worker with a cheaper workflow sandbox; the same workflow code, commands and histories.
 *
 * - **No watchdog thread per call.** The SDK bounds every entry into the workflow's V8 context with
 *   `vm`'s `timeout`, which Node enforces by starting and joining a thread on each call
 *   (nodejs/node#47739): about 120 µs of CPU and 370 µs of wall time per entry, a few dozen entries
 *   per delivery. Here the sandbox is entered without it, and workflow code that never returns is
 *   caught once per activation instead (workflow-stall-guard.ts): a spinning V8 context cannot be
 *   freed from inside, so the worker's process stops and its supervisor starts a fresh one, while
 *   the server hands its workflow tasks to other workers after their timeouts.
 * - **No promise hook unless asked.** The SDK's workflow thread hooks the creation of every promise
 *   to capture and source-map a stack trace for the "Stack Trace" query, whether or not anyone
 *   asks (workflow-threads.ts). Off by default; `stackTraces` turns it back on.
 *
 * Replays (`sandboxedWorker().runReplayHistories`) run on the same sandbox, so the replay tests prove it.
 */
export function sandboxedWorker(opts: SandboxOptions = {}): typeof Worker {
  return class SandboxedWorker extends Worker {
    protected static override async createWorkflowCreator(bundle: Bundle, compiledOptions: CompiledOptions, logger: Logger): Promise<WorkflowCreator> {
      // `undefined` reaches vm's runInContext as no timeout, so no watchdog thread (the option is typed as a number).
      const options = { ...compiledOptions, isolateExecutionTimeoutMs: undefined as unknown as number };
      const ownThreads = !opts.stackTraces && !options.debugMode && options.reuseV8Context !== false;
      const creator = ownThreads ? await createThreadsWithoutPromiseHook(bundle, options, logger) : await super.createWorkflowCreator(bundle, options, logger);
      return opts.stall ? guardStalls(creator, opts.stall.stallMs, opts.stall.onStall) : creator;
    }
  };
}
