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
import { reserveRateSlot, spaceRateSend } from '../../db/queries/flow';
import { withTenant, type Tx } from '../../db/sql';
import { emitOperatorEvent } from '../../db/queries/operator';
import type { DeliveryInput, RateSlot } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { createSendGate, SendSlotsBusy } from './send-gate';
import { sendWebhook, type SendResult } from './send-webhook';

const HEARTBEAT_AFTER_MS = 3_000;
const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * A send over its fair share does not wait for a slot inside its activity (a flood's waiters would
 * fill every activity slot of the worker and starve other tenants): it gives the slot back at once,
 * and Temporal retries it after a backoff, a server-side timer that holds no worker slot.
 */
const SLOT_WAIT_MS = 0;
const BUSY_RETRY_MAX_MS = 30_000;

export interface DeliverResult {
  attempt: number;
  responseStatus: number;
  /** The endpoint's stored consecutive-failure count when the attempt was made (absent after a crash retry). */
  endpointFailures?: number;
  /** Nothing was sent: the endpoint is paused (a receiver's Retry-After) or over its rate; try again after this long. */
  waitMs?: number;
  /** The rate-limit slot reserved for this delivery: pass it back with the next call so it is not reserved twice. */
  rateSlot?: RateSlot;
}

/** A rate-limit slot this close is waited for inside the activity, not with a workflow timer. */
const RATE_WAIT_IN_ACTIVITY_MS = 1_000;
/** How much sooner than its slot the workflow's timer ends (less than RATE_WAIT_IN_ACTIVITY_MS). */
const RATE_WAKE_EARLY_MS = 800;
/** The longest a send waits inside the activity to keep its distance from the previous one. */
const RATE_SPACING_IN_ACTIVITY_MS = 1_000;
/** A send that wakes this much later than its turn was frozen (a stalled worker): its turn is stale. */
const RATE_TURN_LATE_MS = 250;
/** A longer wait is slept in pieces of at most this, so a change of the endpoint's rate takes effect within it. */
const RATE_WAIT_PIECE_MS = 30_000;

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
      release = await gate.acquire(input.tenantId, input.endpointId, target.maxInFlight ?? undefined);
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
        headers: withCustomHeaders(target.headers, { 'content-type': 'application/json', 'user-agent': `Hookline/${config.version}`, ...signed }),
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

  /**
   * Holds this attempt to the endpoint's rate limit (shared by every worker through Postgres). A slot
   * is reserved once per attempt: the workflow hands it back after its timer, and it counts only for
   * the attempt it was made for and at the rate it was made under. A crash between reserving and
   * returning wastes a slot (a little slower), never sends over the rate. Returns the wait when it is
   * long; waits out a short one here.
   */
  async function waitForRateSlot(input: DeliveryInput, target: DeliveryTarget): Promise<DeliverResult | undefined> {
    const held = input.rateSlot;
    let slot: RateSlot;
    if (held && held.epoch === target.rateEpoch && held.attemptsBefore === target.attemptCount) slot = held;
    else {
      const reserved = await withTenant(sql, input.tenantId, (tx) => reserveRateSlot(tx, input.endpointId));
      if (!reserved) return undefined; // the limit was removed meanwhile
      slot = { at: new Date(Date.now() + reserved.waitMs).toISOString(), epoch: reserved.epoch, attemptsBefore: target.attemptCount };
    }
    const waitMs = Date.parse(slot.at) - Date.now();
    // The timer ends a little early and this activity, called again, waits out the rest: a timer's
    // lateness (a workflow task and an activity task under load) does not bunch the sends.
    if (waitMs > RATE_WAIT_IN_ACTIVITY_MS) return { attempt: target.attemptCount, responseStatus: 0, waitMs: Math.ceil(Math.min(waitMs - RATE_WAKE_EARLY_MS, RATE_WAIT_PIECE_MS)), rateSlot: slot };
    if (waitMs > 0) await sleepMs(waitMs);
    // Slots are reserved ahead, but a send can go late (a stalled worker, a late timer) and land next
    // to the ones after it: at the moment of sending, keep it 1/rate after the previous send.
    for (;;) {
      const spacing = await withTenant(sql, input.tenantId, (tx) => spaceRateSend(tx, input.endpointId, RATE_SPACING_IN_ACTIVITY_MS));
      // A long queue of late sends: wait with a timer and a fresh slot rather than hold the activity.
      if (spacing && !spacing.taken) return { attempt: target.attemptCount, responseStatus: 0, waitMs: Math.ceil(spacing.waitMs) };
      if (!spacing || spacing.waitMs <= 0) return undefined;
      const due = Date.now() + spacing.waitMs;
      await sleepMs(spacing.waitMs);
      // Frozen while waiting (SIGSTOP, a long pause): the turn has passed and later sends may have
      // gone since; going now would land beside them. Take a fresh turn instead.
      if (Date.now() - due <= RATE_TURN_LATE_MS) return undefined;
    }
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
    if (!carried && target.rateLimit !== null && input.kind !== 'test') {
      const waiting = await waitForRateSlot(input, target);
      if (waiting) return waiting;
    }
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

/**
 * The endpoint's own headers, then Hookline's. What Hookline sets (type, agent, signatures) wins in
 * any letter case: a custom `X-Sig` beside a legacy `x-sig` would otherwise reach the receiver as
 * one joined value (a tenant may name its legacy header after an endpoint's custom one later).
 */
export function withCustomHeaders(custom: Record<string, string>, own: Record<string, string>): Record<string, string> {
  const taken = new Set(Object.keys(own).map((k) => k.toLowerCase()));
  return { ...Object.fromEntries(Object.entries(custom).filter(([name]) => !taken.has(name.toLowerCase()))), ...own };
}
