import { ApplicationFailure, Context } from '@temporalio/activity';
import { classifyAttempt } from '../../domain/classify';
import { decryptSecret } from '../../domain/secrets';
import { signRequest } from '../../domain/signing';
import { insertAttempt, loadDeliveryTarget, nextAttemptNumber } from '../../db/queries/delivery-target';
import { withTenant } from '../../db/sql';
import { FailureType, type DeliveryInput } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { sendWebhook } from './send-webhook';

const HEARTBEAT_AFTER_MS = 3_000;

export interface DeliverResult {
  attempt: number;
  responseStatus: number;
  /** The endpoint's stored consecutive-failure count when the attempt was recorded (absent after a crash retry). */
  endpointFailures?: number;
}

/**
 * One attempt of one delivery: load, sign, POST, record, classify. Success returns; a retryable
 * failure throws with the next delay; a final failure (or exhausted schedule) is recorded as
 * `failed` and thrown as non-retryable.
 */
export function createDeliver({ sql, fetch, config, metrics }: ActivityDeps) {
  async function attemptOnce(input: DeliveryInput): Promise<DeliverResult> {
    const target = await withTenant(sql, input.tenantId, (tx) => loadDeliveryTarget(tx, input.deliveryId));
    if (!target) throw ApplicationFailure.nonRetryable('endpoint or delivery deleted', FailureType.EndpointDeleted);
    // A retry after a crash that fell between recording and completing: the work is done.
    if (target.status === 'success') return { attempt: 0, responseStatus: 0 };
    if (target.status === 'failed') throw ApplicationFailure.nonRetryable('delivery already failed', FailureType.DeliveryFailed);

    const secrets = target.secrets.map((c) => decryptSecret(config.encryptionKey, c, input.endpointId));
    const body = JSON.stringify({
      id: input.eventId,
      type: target.eventType,
      timestamp: target.eventCreatedAt.toISOString(),
      data: target.eventData,
    });
    const signed = signRequest({
      secrets,
      id: input.eventId,
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
      legacyHeader: config.legacySignatureHeader,
    });
    const sent = await sendWebhook(fetch, {
      url: target.url,
      headers: { 'content-type': 'application/json', 'user-agent': `Hookline/${config.version}`, ...signed },
      body,
      timeoutMs: config.requestTimeoutMs,
    });
    metrics.attemptDuration.observe({ outcome: sent.status === null ? 'error' : String(sent.status) }, sent.durationMs / 1000);

    const verdict = await withTenant(sql, input.tenantId, async (tx) => {
      const counted = await nextAttemptNumber(tx, input.deliveryId);
      if (counted === null) return null;
      const { attempt, endpointFailures } = counted;
      const v = classifyAttempt(sent, attempt, config.retryScheduleMs, config.retryAfterMaxMs);
      const status = v.outcome === 'retry' ? 'pending' : v.outcome;
      const nextRetryAt = v.outcome === 'retry' ? new Date(Date.now() + v.delayMs) : null;
      await insertAttempt(
        tx,
        attempt,
        { ...input, startedAt: sent.startedAt, durationMs: sent.durationMs, responseStatus: sent.status, responseBody: sent.body, error: sent.error },
        { status, nextRetryAt },
      );
      return { ...v, attempt, endpointFailures };
    });
    if (!verdict) throw ApplicationFailure.nonRetryable('endpoint or delivery deleted', FailureType.EndpointDeleted);

    const what = sent.status === null ? sent.error : `HTTP ${sent.status}`;
    switch (verdict.outcome) {
      case 'success':
        metrics.deliveriesCompleted.inc({ status: 'success' });
        return { attempt: verdict.attempt, responseStatus: sent.status!, endpointFailures: verdict.endpointFailures };
      case 'retry':
        Context.current().log.info('delivery attempt failed, will retry', { deliveryId: input.deliveryId, attempt: verdict.attempt, what });
        throw ApplicationFailure.create({
          message: `attempt ${verdict.attempt}: ${what}`,
          type: 'AttemptFailed',
          nextRetryDelay: verdict.delayMs,
        });
      case 'failed':
        metrics.deliveriesCompleted.inc({ status: 'failed' });
        throw ApplicationFailure.create({
          message: `attempt ${verdict.attempt}: ${what}; ${verdict.reason}`,
          type: verdict.gone ? FailureType.EndpointGone : FailureType.DeliveryFailed,
          nonRetryable: true,
        });
    }
  }

  return async function deliver(input: DeliveryInput): Promise<DeliverResult> {
    // Quick attempts (the usual case) send no heartbeat at all; slow ones prove they are alive.
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat(), HEARTBEAT_AFTER_MS);
    try {
      return await attemptOnce(input);
    } finally {
      clearInterval(beat);
    }
  };
}
