import { createDeliver } from './deliver';
import type { ActivityDeps } from './deps';
import { createEndpointStateActivities } from './endpoint-state';
import { createFanOutBatch } from './fan-out';
import { createPurgeBatch } from './purge';
import { createRecoveryActivities } from './recovery';
import { createFifoActivities } from './fifo';
import { createCircuitActivities } from './circuit';

export type { ActivityDeps } from './deps';

/** Every activity, built from its dependencies. Workflows import this file only as a type. */
export function createActivities(deps: ActivityDeps) {
  return {
    deliver: createDeliver(deps),
    fanOutBatch: createFanOutBatch(deps),
    purgeBatch: createPurgeBatch(deps),
    ...createEndpointStateActivities(deps),
    ...createRecoveryActivities(deps),
    ...createFifoActivities(deps),
    ...createCircuitActivities(deps),
  };
}
