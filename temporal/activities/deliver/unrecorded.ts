import { ApplicationFailure, Context } from '@temporalio/activity';
import type { SendResult } from './destination';

/** Quick attempts (the usual case) send no heartbeat; slow ones beat this often to prove they are alive. */
const HEARTBEAT_AFTER_MS = 3_000;
/** Local activities have no heartbeat details, but retry in the same process: their answers wait here. */
const LOCAL_UNRECORDED_MAX = 10_000;

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

/** One try's view of the answer carried between tries of the same attempt. */
export interface Carry {
  /** The answer an earlier try received for the attempt after `attemptsBefore` and could not record. */
  carried(attemptsBefore: number): SendResult | undefined;
  /** A fresh answer: kept until it is recorded. */
  remember(attemptsBefore: number, sent: SendResult): void;
  /** The answer is in the attempt log (or the delivery moved on): nothing to carry any more. */
  recorded(): void;
}

/** Runs each try of the deliver activity with its carry and its heartbeat. */
export function createUnrecordedCarry() {
  const local = new Map<string, Unrecorded>();

  return async function withCarry<T>(deliveryId: string, run: (carry: Carry) => Promise<T>): Promise<T> {
    const context = Context.current();
    const { isLocal } = context.info;
    // A regular try after a local one (the first attempt runs as a local activity) finds that try's
    // answer in this process when no heartbeat carries one.
    const before = (isLocal ? local.get(deliveryId) : ((context.info.heartbeatDetails as Unrecorded | undefined) ?? local.get(deliveryId))) as Unrecorded | undefined;
    // What every heartbeat of this try sends: a heartbeat replaces the stored details, so a try that
    // carries an answer and is slow before it records it (blocked connecting to Postgres) must beat
    // with that answer, or the next try finds nothing and sends again.
    let details: Unrecorded | undefined = isLocal ? undefined : before;
    const beat = setInterval(() => context.heartbeat(details), HEARTBEAT_AFTER_MS);
    const carry: Carry = {
      carried: (attemptsBefore) =>
        before?.attemptsBefore === attemptsBefore ? { ...before.sent, startedAt: new Date(before.sent.startedAt), body: null } : undefined,
      remember(attemptsBefore, { status, durationMs, retryAfter, error, refused, startedAt }) {
        const kept: Unrecorded = { attemptsBefore, sent: { status, durationMs, retryAfter, error, refused, startedAt: startedAt.toISOString() } };
        if (!isLocal) return void (details = kept);
        if (local.size >= LOCAL_UNRECORDED_MAX) local.delete(local.keys().next().value!);
        local.set(deliveryId, kept);
      },
      recorded: () => void local.delete(deliveryId),
    };
    try {
      return await run(carry);
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
