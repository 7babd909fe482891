import { ApplicationFailure, Context } from '@temporalio/activity';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { tracer, tracingOn } from '../../infra/tracing';
import { classifyAttempt, type Verdict } from '../../domain/classify';
import { FailureType } from '../../domain/enums';
import { NO_SETTINGS, effectiveSettings } from '../../domain/tenant-settings';
import { decryptSecret } from '../../domain/secrets';
import { webhookMessageId } from '../../domain/signing';
import { signWithKeys } from '../../domain/endpoint-keys';
import { loadDeliveryTarget, recordAttempt, type DeliveryTarget } from '../../db/queries/attempts';
import { withTenant, type Tx } from '../../db/sql';
import { emitOperatorEvent } from '../../db/queries/operator';
import type { DeliveryInput } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { createSendGate, SendSlotsBusy } from './send-gate';
import { sendWebhook, type SendResult } from './send-webhook';

const HEARTBEAT_AFTER_MS = 3_000;
/** How long a send waits for a fair-share slot before it gives its activity slot back. */
const SLOT_WAIT_MS = 10_000;
const BUSY_RETRY_MAX_MS = 30_000;

export interface DeliverResult {
  attempt: number;
  responseStatus: number;
  /** The endpoint's stored consecutive-failure count when the attempt was made (absent after a crash retry). */
  endpointFailures?: number;
  /** Nothing was sent: the endpoint is paused (a receiver's Retry-After); try again after this long. */
  waitMs?: number;
}

/**
 * A send whose answer is not yet in the attempt log, kept in the activity's heartbeat details, which
 * outlive its retries: if recording fails (Postgres down), the next try records this answer instead
 * of sending again. `attemptsBefore` ties it to the log: once an attempt is recorded it no longer matches.
 * The response body stays out (it is the receiver's text, and heartbeat details live in Temporal).
 */
interface Unrecorded {
  attemptsBefore: number;
  sent: Omit<SendResult, 'startedAt' | 'body'> & { startedAt: string };
}

/**
 * One attempt of one delivery: load → sign → send → record → classify (svix's worker stages).
 * Success returns; a retryable failure throws with the next delay; a final failure (or an
 * exhausted schedule) is recorded as `failed` and thrown as non-retryable.
 */
/** Local activities have no heartbeat details, but retry in the same process: their answers wait here. */
const LOCAL_UNRECORDED_MAX = 10_000;

/** The outbound POST as a client span (the API's no-op span when tracing is off); the URL's host and path only. */
function tracedSend(url: string, send: () => Promise<SendResult>): Promise<SendResult> {
  if (!tracingOn()) return send();
  const target = new URL(url);
  return tracer().startActiveSpan('webhook POST', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'server.address': target.hostname, 'url.path': target.pathname } }, async (span) => {
    try {
      const sent = await send();
      if (sent.status !== null) span.setAttribute('http.response.status_code', sent.status);
      if (sent.error) span.setStatus({ code: SpanStatusCode.ERROR, message: sent.error });
      else if (sent.status !== null && sent.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      return sent;
    } finally {
      span.end();
    }
  });
}

export function createDeliver({ sql, fetch, config, metrics, log }: ActivityDeps) {
  const localUnrecorded = new Map<string, Unrecorded>();
  const gate = createSendGate({
    total: config.workerConcurrency,
    perTenant: config.tenantMaxInFlight,
    perEndpoint: config.endpointMaxInFlight,
    maxWaitMs: SLOT_WAIT_MS,
  });

  /** A send within the endpoint's and tenant's share of this worker's slots (send-gate.ts). */
  async function sendFairly(input: DeliveryInput, target: DeliveryTarget): Promise<SendResult> {
    let release: () => void;
    try {
      release = await gate.acquire(input.tenantId, input.endpointId);
    } catch (err) {
      if (!(err instanceof SendSlotsBusy)) throw err;
      // Nothing was sent and no attempt is counted: try again later, backing off while it stays busy.
      const backoff = Math.min(BUSY_RETRY_MAX_MS, 1_000 * 2 ** Math.min(Context.current().info.attempt - 1, 5));
      throw ApplicationFailure.create({ message: err.message, type: 'SendSlotsBusy', nextRetryDelay: Math.round(backoff * (0.8 + Math.random() * 0.4)) });
    }
    try {
      return await send(input, target);
    } finally {
      release();
    }
  }

  async function send(input: DeliveryInput, target: DeliveryTarget): Promise<SendResult> {
    const keys = target.secrets.map((c, i) => ({ scheme: target.secretSchemes[i] ?? 'v1', secret: decryptSecret(config.encryptionKey, c, input.endpointId) }));
    const body = JSON.stringify({ id: input.eventId, type: target.eventType, timestamp: target.eventCreatedAt.toISOString(), data: target.eventData });
    const signed = signWithKeys({ keys, id: webhookMessageId(input.tenantId, input.eventId), timestampSeconds: Math.floor(Date.now() / 1000), body, legacy: legacySignatureOf(target) });
    const sent = await tracedSend(target.url, () =>
      sendWebhook(fetch, {
        url: target.url,
        // The endpoint's own headers first: what Hookline sets (type, agent, signatures) always wins.
        headers: { ...target.headers, 'content-type': 'application/json', 'user-agent': `Hookline/${config.version}`, ...signed },
        body,
        timeoutMs: config.requestTimeoutMs,
      }),
    );
    metrics.attemptDuration.observe({ outcome: sent.status === null ? 'error' : String(sent.status) }, sent.durationMs / 1000);
    return sent;
  }

  function exhausted(tx: Tx, input: DeliveryInput, target: DeliveryTarget, attempts: number, sent: SendResult, reason: string): Promise<void> {
    return emitOperatorEvent(tx, config, input.tenantId, 'delivery.exhausted', {
      tenantId: input.tenantId,
      endpointId: input.endpointId,
      url: target.url,
      deliveryId: input.deliveryId,
      eventId: input.eventId,
      eventType: target.eventType,
      kind: input.kind,
      attempts,
      lastResponseStatus: sent.status,
      lastError: sent.error,
      reason,
    });
  }

  /** The tenant's legacy header, else the deployment's (HOOKLINE_LEGACY_SIGNATURE_HEADER), else none. */
  function legacySignatureOf(target: DeliveryTarget) {
    return effectiveSettings({ ...NO_SETTINGS, legacySignature: target.legacySignature }, config).legacySignature;
  }

  async function attemptOnce(input: DeliveryInput, remember: (details: Unrecorded) => void): Promise<DeliverResult> {
    const deleted = () => ApplicationFailure.nonRetryable('endpoint or delivery deleted', FailureType.EndpointDeleted);
    const target = await withTenant(sql, input.tenantId, (tx) => loadDeliveryTarget(tx, input.deliveryId));
    if (!target) throw deleted();
    // A retry after a crash that fell between recording and completing: the work is done.
    if (target.status === 'success') return { attempt: target.attemptCount, responseStatus: 0 };
    if (target.status === 'failed') throw ApplicationFailure.nonRetryable('delivery already failed', FailureType.DeliveryFailed);

    const { info } = Context.current();
    const carried = (info.isLocal ? localUnrecorded.get(input.deliveryId) : info.heartbeatDetails) as Unrecorded | undefined;
    // A pause holds every delivery of the endpoint but the one that will retry at its end, and tests.
    if (!carried && target.pausedMs > 0 && input.kind !== 'test') return { attempt: target.attemptCount, responseStatus: 0, waitMs: Math.ceil(target.pausedMs) };
    let sent: SendResult;
    if (carried?.attemptsBefore === target.attemptCount) {
      sent = { ...carried.sent, startedAt: new Date(carried.sent.startedAt), body: null };
      log.info({ deliveryId: input.deliveryId, status: sent.status }, 'recording an answer received before Postgres failed, without sending again');
    } else {
      sent = await sendFairly(input, target);
      const { status, durationMs, retryAfter, error, refused } = sent;
      remember({ attemptsBefore: target.attemptCount, sent: { status, durationMs, retryAfter, error, refused, startedAt: sent.startedAt.toISOString() } });
    }

    const attempt = target.attemptCount + 1;
    const verdict = classifyAttempt(sent, attempt, target.retryScheduleMs ?? config.retryScheduleMs, config.retryAfterMaxMs);
    const recorded = await withTenant(sql, input.tenantId, async (tx) => {
      const done = await recordAttempt(tx, {
        deliveryId: input.deliveryId,
        tenantId: input.tenantId,
        attempt,
        startedAt: sent.startedAt,
        durationMs: sent.durationMs,
        responseStatus: sent.status,
        responseBody: sent.body,
        error: sent.error,
        status: verdict.outcome === 'retry' ? 'pending' : verdict.outcome,
        nextRetryAt: verdict.outcome === 'retry' ? new Date(Date.now() + verdict.delayMs) : null,
        pauseEndpointMs: verdict.outcome === 'retry' && verdict.pauseEndpoint ? verdict.delayMs : null,
      });
      // A final failure tells the operator (delivery.exhausted) in the transaction that records it.
      if (done && verdict.outcome === 'failed' && input.kind !== 'test') await exhausted(tx, input, target, attempt, sent, verdict.reason);
      return done;
    });
    localUnrecorded.delete(input.deliveryId);
    if (!recorded) throw ApplicationFailure.retryable('the delivery changed while this attempt ran; reloading', 'AttemptRaced');
    return conclude(input, attempt, sent, verdict, target.endpointFailures);
  }

  function conclude(input: DeliveryInput, attempt: number, sent: SendResult, verdict: Verdict, endpointFailures: number): DeliverResult {
    const what = sent.status === null ? sent.error : `HTTP ${sent.status}`;
    switch (verdict.outcome) {
      case 'success':
        metrics.deliveriesCompleted.inc({ status: 'success' });
        return { attempt, responseStatus: sent.status!, endpointFailures };
      case 'retry':
        log.info({ deliveryId: input.deliveryId, attempt, what }, 'delivery attempt failed, will retry');
        throw ApplicationFailure.create({ message: `attempt ${attempt}: ${what}`, type: 'AttemptFailed', nextRetryDelay: verdict.delayMs });
      case 'failed':
        metrics.deliveriesCompleted.inc({ status: 'failed' });
        throw ApplicationFailure.create({
          message: `attempt ${attempt}: ${what}; ${verdict.reason}`,
          type: verdict.gone ? FailureType.EndpointGone : FailureType.DeliveryFailed,
          nonRetryable: true,
        });
    }
  }

  return async function deliver(input: DeliveryInput): Promise<DeliverResult> {
    // Quick attempts (the usual case) send no heartbeat; one whose answer could not be recorded does;
    // slow ones beat every few seconds to prove they are alive.
    const context = Context.current();
    let details: Unrecorded | undefined;
    const beat = setInterval(() => context.heartbeat(details), HEARTBEAT_AFTER_MS);
    try {
      return await attemptOnce(input, (d) => {
        if (context.info.isLocal) {
          if (localUnrecorded.size >= LOCAL_UNRECORDED_MAX) localUnrecorded.delete(localUnrecorded.keys().next().value!);
          localUnrecorded.set(input.deliveryId, d);
          return;
        }
        details = d;
      });
    } catch (err) {
      // Only now does the answer need to outlive this try (recording it failed): heartbeating it on
      // every send would cost a call to the server per delivery, and the SDK keeps their state.
      if (details && !(err instanceof ApplicationFailure)) context.heartbeat(details);
      throw err;
    } finally {
      clearInterval(beat);
    }
  };
}
