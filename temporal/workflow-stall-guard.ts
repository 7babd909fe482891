import type { Workflow, WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';

/** What to do when workflow code has not answered an activation for `stallMs` (bin/run.ts exits the process). */
export type OnWorkflowStall = (stalledMs: number) => void;

/** How often the stall guard looks at the activations in flight (at most; a fifth of a shorter limit). */
const STALL_CHECK_EVERY_MS = 1_000;

/**
 * Wraps a creator so that an activation (or a sink read) out for longer than `stallMs` calls `onStall`, once.
 * Time counts only as the guard's checks see it pass, at most two check periods between two checks:
 * a process that stood still (SIGSTOP, a paused VM, a laptop's sleep) froze its workflow thread too,
 * and must not find every activation it had out "stalled" the moment it wakes.
 */
export function guardStalls(creator: WorkflowCreator, stallMs: number, onStall: OnWorkflowStall, now: () => number = Date.now): WorkflowCreator {
  const period = Math.min(STALL_CHECK_EVERY_MS, stallMs / 5);
  const inFlight = new Map<number, number>();
  let next = 0;
  let reported = false;
  let seen = 0;
  let lastCheck = now();
  const timer = setInterval(() => {
    const at = now();
    seen += Math.min(at - lastCheck, 2 * period);
    lastCheck = at;
    if (reported || inFlight.size === 0) return;
    const out = seen - Math.min(...inFlight.values());
    if (out >= stallMs) {
      reported = true;
      onStall(Math.round(out));
    }
  }, period);
  timer.unref();

  function timed<T>(call: () => Promise<T>): Promise<T> {
    const id = next++;
    inFlight.set(id, seen);
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
