import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DeliveryOutcome, EndpointState, TestRequest } from './types';

export const deliveryOutcomeSignal = defineSignal<[DeliveryOutcome]>('deliveryOutcome');
export const sendTestSignal = defineSignal<[TestRequest]>('sendTest');
export const setEnabledSignal = defineSignal<[{ enabled: boolean }]>('setEnabled');
export const endpointStateQuery = defineQuery<EndpointState>('endpointState');
