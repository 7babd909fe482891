/** The reserved tenant that holds the operator's endpoint (HOOKLINE_OPERATOR_WEBHOOK_URL); no API tenant may take its id. */
export const OPERATOR_TENANT_ID = 'hookline.operator';
export const OPERATOR_ENDPOINT_ID = 'ep_hookline_operator';
export const OPERATOR_EVENT_TYPES = ['endpoint.disabled', 'endpoint.enabled', 'delivery.exhausted', 'recovery.completed', 'endpoint.circuit_opened', 'endpoint.circuit_closed'] as const;
export type OperatorEventType = (typeof OPERATOR_EVENT_TYPES)[number];
