import type { Workflow, WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';

/** What to do when workflow code has not answered an activation for `stallMs` (bin/run.ts exits the process). */
export type OnWorkflowStall = (stalledMs: number) => void;

/** How often the stall guard looks at the activations in flight. */
const STALL_CHECK_EVERY_MS = 1_000;

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
