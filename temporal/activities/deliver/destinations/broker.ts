import type { DeliveryTarget } from '../../../../db/queries/attempts';
import { BROKER_SCHEMES, credentialsBinding, equivalentStatus, type BrokerType, type Credentials } from '../../../../domain/destinations';
import { decryptSecret } from '../../../../domain/secrets';
import { DOES_NOT_RESOLVE, checkBrokerUrl } from '../../../../domain/url-rules';
import type { PublishOutcome } from '../../../../infra/brokers/outcome';
import type { Config } from '../../../../infra/config';
import type { Destination, OutboundMessage, SendResult } from '../destination';
import { withCustomHeaders } from './http';

/** What every broker destination shares: credentials, the send-time SSRF check, headers and the result. */
export type BrokerConfig = Pick<Config, 'encryptionKey' | 'production' | 'allowPrivateTargets'>;

/** The endpoint's credentials, opened only here, for the one publish (never logged or returned). */
function credentialsOf(config: BrokerConfig, target: DeliveryTarget, endpointId: string): Credentials {
  if (!target.credentials) return {};
  return JSON.parse(decryptSecret(config.encryptionKey, target.credentials, credentialsBinding(endpointId))) as Credentials;
}

/**
 * Production refuses private hosts at send time too (a name may resolve elsewhere than at create time).
 * A name that does not resolve now is not refused: DNS fails for a while and passes, so it is retried.
 */
async function refusal(config: BrokerConfig, type: BrokerType, serverUrl: string, startedAt: Date): Promise<SendResult | null> {
  const problem = await checkBrokerUrl(serverUrl, BROKER_SCHEMES[type].tls, config);
  if (!problem) return null;
  const durationMs = Date.now() - startedAt.getTime();
  if (problem.endsWith(DOES_NOT_RESOLVE)) return { startedAt, durationMs, status: null, body: null, retryAfter: null, error: `dns: ${problem}`, refused: false, outcome: 'dns' };
  return { startedAt, durationMs, status: null, body: null, retryAfter: null, error: `target refused: ${problem}`, refused: true, outcome: 'target_refused' };
}

/**
 * The message's headers on a broker: the endpoint's custom headers, then Hookline's (the Standard
 * Webhooks three, the legacy signature, content-type, user-agent), and the event type, which an
 * HTTP receiver reads from the body but a broker consumer may want to route or filter on.
 */
export function brokerHeaders(target: DeliveryTarget, message: OutboundMessage): Record<string, string> {
  return withCustomHeaders(target.headers, { ...message.headers, 'webhook-event-type': message.eventType });
}

function toSendResult(startedAt: Date, outcome: PublishOutcome): SendResult {
  return {
    startedAt,
    durationMs: outcome.durationMs,
    status: equivalentStatus(outcome.verdict),
    body: outcome.detail.slice(0, 1024),
    retryAfter: null,
    error: outcome.verdict === 'taken' ? null : `${outcome.code}: ${outcome.detail}`.slice(0, 1024),
    refused: false,
    outcome: outcome.code,
  };
}

/** What one broker's publish gets: its endpoint config, the endpoint's credentials and the message with its headers. */
export interface BrokerPublish<C> {
  c: C;
  credentials: Credentials;
  message: OutboundMessage;
  headers: Record<string, string>;
  timeoutMs: number;
}

/**
 * A broker destination: the send-time check of its server's address, the endpoint's credentials,
 * the publish `publish` makes, and its outcome as a SendResult.
 */
export function brokerDestination<C extends { serverUrl: string }>(
  config: BrokerConfig,
  type: BrokerType,
  publish: (p: BrokerPublish<C>) => Promise<PublishOutcome>,
): Destination {
  return {
    async send(target, message, opts) {
      const startedAt = new Date();
      const c = target.config as C;
      const refused = await refusal(config, type, c.serverUrl, startedAt);
      if (refused) return refused;
      const credentials = credentialsOf(config, target, message.endpointId);
      const outcome = await publish({ c, credentials, message, headers: brokerHeaders(target, message), timeoutMs: opts.timeoutMs });
      return toSendResult(startedAt, outcome);
    },
  };
}
