import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DeliveryOutcome, EndpointState, TestRequest } from './types';

export const deliveryOutcomeSignal = defineSignal<[DeliveryOutcome]>('deliveryOutcome');
export const sendTestSignal = defineSignal<[TestRequest]>('sendTest');
export const setEnabledSignal = defineSignal<[{ enabled: boolean }]>('setEnabled');
/** A FIFO endpoint has new deliveries queued (or its ordering changed): its workflow looks at the queue. */
export const fifoWakeSignal = defineSignal<[Record<string, never>]>('fifoWake');
export const endpointStateQuery = defineQuery<EndpointState>('endpointState');
