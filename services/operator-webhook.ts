import { encryptSecret, fingerprint } from '../domain/secrets';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import { OPERATOR_ENDPOINT_ID, OPERATOR_TENANT_ID } from '../domain/operator';
import { syncOperatorEndpoint } from '../db/queries/operator';
import type { Sql } from '../db/sql';

/**
 * Operational webhooks (HOOKLINE_OPERATOR_WEBHOOK_URL): every worker makes the reserved operator
 * tenant's endpoint match the configuration at start (idempotent), so its events are delivered,
 * retried and logged like any tenant's. A process without the URL writes no operational events
 * (the endpoint and its log stay, and serve again when the URL is set again).
 */
export async function syncOperatorWebhook(deps: { config: Config; sql: Sql; log: Logger }): Promise<void> {
  const want = deps.config.operatorWebhook;
  if (!want) return;
  const { created } = await syncOperatorEndpoint(deps.sql, {
    url: want.url,
    secret: { ciphertext: encryptSecret(deps.config.encryptionKey, want.secret, OPERATOR_ENDPOINT_ID), fingerprint: fingerprint(want.secret) },
  });
  deps.log.info({ tenantId: OPERATOR_TENANT_ID, endpointId: OPERATOR_ENDPOINT_ID, created }, 'operational webhooks on');
}
