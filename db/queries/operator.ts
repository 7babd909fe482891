import type { Config } from '../../infra/config';
import { OPERATOR_ENDPOINT_ID, OPERATOR_EVENT_TYPES, OPERATOR_TENANT_ID, type OperatorEventType } from '../../domain/operator';
import { storableJson } from '../../domain/json-depth';
import type { Sql, Tx } from '../sql';

/**
 * Writes an operational event for the operator's endpoint (event, delivery and outbox row) in the
 * caller's transaction, so the report commits with what it reports. Nothing when this process has
 * no HOOKLINE_OPERATOR_WEBHOOK_URL or no operator endpoint exists, and never about the operator's own
 * tenant (no loops). Through a SECURITY
 * DEFINER function: the transaction is set to `aboutTenantId` (migrations/011).
 */
export async function emitOperatorEvent(
  tx: Tx,
  config: Pick<Config, 'temporal' | 'operatorWebhook'>,
  aboutTenantId: string,
  type: OperatorEventType,
  data: Record<string, unknown>,
): Promise<void> {
  if (!config.operatorWebhook || aboutTenantId === OPERATOR_TENANT_ID) return;
  // Its texts may quote a receiver or broker (an attempt's last error): jsonb refuses a NUL or half an emoji.
  await tx`select hookline_operator_event(${type}, ${tx.json(storableJson(data) as never)}, ${config.temporal.taskQueue})`;
}

/** Makes the operator's tenant and endpoint match the configuration (idempotent: every worker does it at start). */
export async function syncOperatorEndpoint(sql: Sql, want: { url: string; secret: { ciphertext: string; fingerprint: string } }): Promise<{ created: boolean }> {
  return sql.begin(async (tx) => {
    await tx`select set_config('role', 'hookline_app', true), set_config('hookline.tenant_id', ${OPERATOR_TENANT_ID}, true)`;
    await tx`select pg_advisory_xact_lock(hashtext('hookline.operator-endpoint'))`;
    await tx`insert into tenants (id, name) values (${OPERATOR_TENANT_ID}, 'Hookline operator (operational webhooks)') on conflict do nothing`;
    const inserted = await tx`
      insert into endpoints (id, tenant_id, url, description, event_types)
      values (${OPERATOR_ENDPOINT_ID}, ${OPERATOR_TENANT_ID}, ${want.url}, 'Operational webhooks (HOOKLINE_OPERATOR_WEBHOOK_URL)', ${[...OPERATOR_EVENT_TYPES]})
      on conflict (id) do nothing returning id`;
    if (!inserted.length) {
      await tx`update endpoints set url = ${want.url}, event_types = ${[...OPERATOR_EVENT_TYPES]}, updated_at = now()
               where id = ${OPERATOR_ENDPOINT_ID} and (url <> ${want.url} or event_types <> ${[...OPERATOR_EVENT_TYPES]})`;
    }
    const [current] = await tx<{ fingerprint: string }[]>`
      select fingerprint from endpoint_secrets where endpoint_id = ${OPERATOR_ENDPOINT_ID} order by created_at desc, id desc limit 1`;
    if (current?.fingerprint !== want.secret.fingerprint) {
      await tx`delete from endpoint_secrets where endpoint_id = ${OPERATOR_ENDPOINT_ID}`;
      await tx`insert into endpoint_secrets (endpoint_id, tenant_id, ciphertext, fingerprint)
               values (${OPERATOR_ENDPOINT_ID}, ${OPERATOR_TENANT_ID}, ${want.secret.ciphertext}, ${want.secret.fingerprint})`;
    }
    return { created: inserted.length > 0 };
  }) as Promise<{ created: boolean }>;
}
