import { Worker, type Logger } from '@temporalio/worker';
import type { Workflow, WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';

type CompiledOptions = Parameters<(typeof Worker)['createWorkflowCreator']>[1];
type Bundle = Parameters<(typeof Worker)['createWorkflowCreator']>[0];

/** What to do when workflow code has not answered an activation for `stallMs` (bin/run.ts exits the process). */
export type OnWorkflowStall = (stalledMs: number) => void;

/** How often the stall guard looks at the activations in flight. */
const STALL_CHECK_EVERY_MS = 1_000;

/**
 * The SDK runs workflow code in a V8 context and bounds every entry into it with `vm`'s `timeout`.
 * Node enforces that timeout with a watchdog thread started and joined on every call (nodejs/node#47739):
 * about 120 µs of CPU and 370 µs of wall time per entry, a few dozen entries per delivery, which was
 * half of what running a delivery workflow cost. Hookline's workers enter the sandbox without it and
 * guard against workflow code that never returns once per activation instead: `guardStalls` notes
 * when each activation went in, and one timer per worker calls `onStall` when one has been out for
 * longer than the limit. A stuck workflow thread cannot be recovered (a spinning V8 context can only be
 * terminated from outside), so the worker's process exits and its supervisor starts it again; the
 * server hands its workflow tasks to other workers after their timeouts.
 *
 * Replays (`sandboxedWorker().runReplayHistories`) run on the same sandbox, so the replay tests prove it.
 */
export function sandboxedWorker(stall?: { stallMs: number; onStall: OnWorkflowStall }): typeof Worker {
  return class SandboxedWorker extends Worker {
    protected static override async createWorkflowCreator(bundle: Bundle, compiledOptions: CompiledOptions, logger: Logger): Promise<WorkflowCreator> {
      // `undefined` reaches vm's runInContext as no timeout, so no watchdog thread (the option is typed as a number).
      const creator = await super.createWorkflowCreator(bundle, { ...compiledOptions, isolateExecutionTimeoutMs: undefined as unknown as number }, logger);
      return stall ? guardStalls(creator, stall.stallMs, stall.onStall) : creator;
    }
  };
}

/** Wraps a creator so that an activation (or a sink read) out for longer than `stallMs` calls `onStall`, once. */
export function guardStalls(creator: WorkflowCreator, stallMs: number, onStall: OnWorkflowStall, now: () => number = Date.now): WorkflowCreator {
  const inFlight = new Map<number, number>();
  let next = 0;
  let reported = false;
  const timer = setInterval(() => {
    if (reported) return;
    const oldest = Math.min(...inFlight.values());
    if (now() - oldest >= stallMs) {
      reported = true;
      onStall(now() - oldest);
    }
  }, Math.min(STALL_CHECK_EVERY_MS, stallMs));
  timer.unref();

  function timed<T>(call: () => Promise<T>): Promise<T> {
    const id = next++;
    inFlight.set(id, now());
    return call().finally(() => inFlight.delete(id));
  }

  const guard = (workflow: Workflow): Workflow => ({
    activate: (activation) => timed(() => workflow.activate(activation)),
    getAndResetSinkCalls: () => timed(() => workflow.getAndResetSinkCalls()),
    dispose: () => workflow.dispose(),
  });

  return {
    createWorkflow: async (options) => guard(await timed(() => creator.createWorkflow(options))),
    destroy: async () => {
      clearInterval(timer);
      await creator.destroy();
    },
  };
}
