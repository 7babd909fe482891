import type { DeliveryTarget } from '../../../db/queries/attempts';
import { signWithKeys } from '../../../domain/endpoint-keys';
import { decryptSecret } from '../../../domain/secrets';
import { webhookMessageId } from '../../../domain/signing';
import { NO_SETTINGS, effectiveSettings } from '../../../domain/tenant-settings';
import type { Config } from '../../../infra/config';
import type { DeliveryInput } from '../../workflows/types';
import type { OutboundMessage } from './destination';

/** The event's body and Hookline's headers, signed with every active secret of the endpoint. */
export function buildMessage(config: Config, input: DeliveryInput, target: DeliveryTarget): OutboundMessage {
  const keys = target.secrets.map((c, i) => ({ scheme: target.secretSchemes[i] ?? 'v1', secret: decryptSecret(config.encryptionKey, c, input.endpointId) }));
  const body = JSON.stringify({ id: input.eventId, type: target.eventType, timestamp: target.eventCreatedAt.toISOString(), data: target.eventData });
  const signed = signWithKeys({ keys, id: webhookMessageId(input.tenantId, input.eventId), timestampSeconds: Math.floor(Date.now() / 1000), body, legacy: legacySignatureOf(config, target) });
  return {
    deliveryId: input.deliveryId,
    tenantId: input.tenantId,
    endpointId: input.endpointId,
    eventType: target.eventType,
    body,
    headers: { 'content-type': 'application/json', 'user-agent': `Hookline/${config.version}`, ...signed },
  };
}

/** The tenant's legacy header, else the deployment's (HOOKLINE_LEGACY_SIGNATURE_HEADER), else none. */
function legacySignatureOf(config: Config, target: DeliveryTarget) {
  return effectiveSettings({ ...NO_SETTINGS, legacySignature: target.legacySignature }, config).legacySignature;
}
