import { defineSearchAttributeKey } from '@temporalio/common';

/** Custom search attributes, so an operator can find any delivery in the Temporal Web UI. */
export const SEARCH_ATTRIBUTES = {
  HooklineTenantId: 'Keyword',
  HooklineEndpointId: 'Keyword',
  HooklineEventType: 'Keyword',
} as const;

export const TENANT_ID = defineSearchAttributeKey('HooklineTenantId', 'KEYWORD');
export const ENDPOINT_ID = defineSearchAttributeKey('HooklineEndpointId', 'KEYWORD');
export const EVENT_TYPE = defineSearchAttributeKey('HooklineEventType', 'KEYWORD');
