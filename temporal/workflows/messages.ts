import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CircuitNews, DeliveryOutcome, EndpointState, TestRequest } from './types';

export const deliveryOutcomeSignal = defineSignal<[DeliveryOutcome]>('deliveryOutcome');
export const sendTestSignal = defineSignal<[TestRequest]>('sendTest');
export const setEnabledSignal = defineSignal<[{ enabled: boolean }]>('setEnabled');
/** A FIFO endpoint has new deliveries queued (or its ordering changed): its workflow looks at the queue. */
export const fifoWakeSignal = defineSignal<[Record<string, never>]>('fifoWake');
/** What a delivery's attempt means for the endpoint's circuit breaker: the run reached its threshold, or the probe's answer. */
export const circuitSignal = defineSignal<[CircuitNews]>('circuit');
export const endpointStateQuery = defineQuery<EndpointState>('endpointState');
