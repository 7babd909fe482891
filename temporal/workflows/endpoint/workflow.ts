import { allHandlersFinished, condition, continueAsNew, isCancellation, patched, setDefaultSignalHandler, setHandler, workflowInfo } from '@temporalio/workflow';
import { circuitSignal, deliveryOutcomeSignal, endpointStateQuery, fifoWakeSignal, sendTestSignal, setEnabledSignal } from '../messages';
import { ARRIVAL_ORDER, HAND_OVER_MID_QUEUE, OLD_RUN_FIFO_WAKE } from '../patches';
import type { CircuitNews, DeliveryOutcome, EndpointInput, TestRequest } from '../types';
import { EndpointEntity } from './entity';

/**
 * One long-lived workflow per endpoint (`endpoint-<id>`): the entity of entity.ts, its messages
 * handled one at a time in arrival order, continuing as new when Temporal suggests it.
 */
export async function endpointWorkflow(input: EndpointInput): Promise<void> {
  const endpoint = new EndpointEntity(input);
  const { pending, fifo } = endpoint;
  fifo.start();
  listen(endpoint);
  setHandler(endpointStateQuery, () => ({ ...endpoint.state }));

  try {
    // A FIFO delivery in progress finishes in this run; the queue stops before the next one.
    const readyToHandOver = () => workflowInfo().continueAsNewSuggested && !fifo.busy;
    const ready = () => pending.length > 0 || readyToHandOver() || fifo.failure !== undefined;
    for (;;) {
      // The circuit's cool-down or probe deadline is a timer of this loop; runs with no circuit open wait as before.
      const dueIn = endpoint.circuitDueIn(Date.now());
      if (dueIn === undefined) await condition(ready);
      else if (dueIn === 0 || !(await condition(ready, dueIn))) {
        if (!pending.some((m) => m.kind === 'circuitDue')) pending.push({ kind: 'circuitDue' });
      }
      if (fifo.failure !== undefined) throw fifo.failure;
      // Hand over mid-queue when Temporal suggests it, so a steady stream of outcomes cannot grow
      // one run's history without bound; the rest of the queue travels with the state.
      const handOverMidQueue = patched(HAND_OVER_MID_QUEUE);
      while (pending.length > 0 && !(handOverMidQueue && readyToHandOver())) {
        endpoint.handling = true;
        try {
          await endpoint.handle(pending.shift()!);
        } finally {
          endpoint.handling = false;
        }
      }
      if (readyToHandOver()) {
        await condition(allHandlersFinished);
        return await continueAsNew<typeof endpointWorkflow>(endpoint.handOver());
      }
    }
  } catch (err) {
    // Deleting the endpoint cancels this workflow: that is its normal end.
    if (isCancellation(err)) return;
    throw err;
  }
}

/** Signals become queued messages; a FIFO wake-up only sets the queue's flag. */
function listen(endpoint: EndpointEntity): void {
  const { pending, fifo } = endpoint;
  function enqueue(name: string, arg: unknown): void {
    if (name === fifoWakeSignal.name) fifo.wake();
    else if (name === deliveryOutcomeSignal.name) pending.push({ kind: 'outcome', ...(arg as DeliveryOutcome) });
    else if (name === sendTestSignal.name) pending.push({ kind: 'test', ...(arg as TestRequest) });
    else if (name === setEnabledSignal.name) pending.push({ kind: 'enabled', enabled: (arg as { enabled: boolean }).enabled });
    else if (name === circuitSignal.name) pending.push({ kind: 'circuit', ...(arg as CircuitNews) });
  }
  if (patched(ARRIVAL_ORDER)) {
    // Signals buffered before the first workflow task reach per-name handlers grouped by name;
    // one handler for all of them keeps them in arrival order.
    setDefaultSignalHandler(enqueue);
    return;
  }
  for (const signal of [deliveryOutcomeSignal, sendTestSignal, setEnabledSignal, circuitSignal]) setHandler(signal, (arg: unknown) => enqueue(signal.name, arg));
  // A run this old had no fifoWake handler, so a switch to FIFO waited for its next run. Asked at each
  // wake-up, not here: this line runs in replay for such a run, where a patch always answers false.
  setHandler(fifoWakeSignal, () => {
    if (patched(OLD_RUN_FIFO_WAKE)) fifo.wake();
  });
}
