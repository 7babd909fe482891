import type { Client } from '@temporalio/client';

export interface ActionCount {
  sampledDeliveries: number;
  actionsPerDelivery: number;
  historyEventsPerDelivery: number;
  /** Billable actions by kind, per delivery. */
  breakdown: Record<string, number>;
}

// History events that Temporal Cloud bills as an action, by the attribute each event carries.
const BILLABLE: Record<string, string> = {
  workflowExecutionStartedEventAttributes: 'workflow start',
  activityTaskScheduledEventAttributes: 'activity',
  timerStartedEventAttributes: 'timer',
  signalExternalWorkflowExecutionInitiatedEventAttributes: 'signal',
  startChildWorkflowExecutionInitiatedEventAttributes: 'child workflow',
  upsertWorkflowSearchAttributesEventAttributes: 'search attribute upsert',
  markerRecordedEventAttributes: 'local activity',
};

/**
 * Billable actions and history events per delivery, counted from the histories of sampled
 * delivery workflows, plus the share of each endpoint workflow (`perEndpointDeliveries` deliveries
 * went through each) that their outcomes cost.
 */
export async function countActions(client: Client, deliveryWorkflowIds: string[], endpointWorkflowIds: string[], perEndpointDeliveries = 1): Promise<ActionCount> {
  const breakdown: Record<string, number> = {};
  let events = 0;
  const add = (kind: string, n: number) => (breakdown[kind] = (breakdown[kind] ?? 0) + n);
  const tally = async (workflowId: string, weight: number) => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    for (const event of history.events ?? []) {
      events += weight;
      const e = event as Record<string, unknown>;
      for (const [attr, kind] of Object.entries(BILLABLE)) if (e[attr]) add(kind, weight);
      const signaled = e.workflowExecutionSignaledEventAttributes as { externalWorkflowExecution?: unknown } | undefined;
      if (signaled && !signaled.externalWorkflowExecution) add('signal from a client', weight);
      const started = e.activityTaskStartedEventAttributes as { attempt?: number } | undefined;
      if (started && (started.attempt ?? 1) > 1) add('activity retry', weight);
    }
  };
  for (const id of deliveryWorkflowIds) await tally(id, 1);
  // An endpoint workflow's cost is shared by every delivery it counted; scale it to the sample.
  for (const id of endpointWorkflowIds) await tally(id, deliveryWorkflowIds.length / perEndpointDeliveries);
  const n = deliveryWorkflowIds.length;
  const per = (x: number) => Math.round((x / n) * 100) / 100;
  return {
    sampledDeliveries: n,
    actionsPerDelivery: per(Object.values(breakdown).reduce((a, b) => a + b, 0)),
    historyEventsPerDelivery: per(events),
    breakdown: Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, per(v)])),
  };
}
