/** How one send's answer decides what happens next. Pure: tested with fixed cases. */
import type { SendResult } from './send-result';

/** What of a send's answer the verdict depends on. */
type Answer = Pick<SendResult, 'status'> & Partial<Pick<SendResult, 'retryAfter' | 'refused'>>;

export type Verdict =
  | { outcome: 'success' }
  | { outcome: 'retry'; delayMs: number; /** The receiver named the delay (Retry-After): it holds for the whole endpoint. */ pauseEndpoint: boolean }
  | { outcome: 'failed'; gone: boolean; reason: string };

export function isRetryableStatus(status: number | null): boolean {
  if (status === null) return true;
  return status >= 500 || status === 408 || status === 429;
}

/**
 * @param attempt 1-based number of the attempt just made
 * @param scheduleMs delays between attempts; attempts in all = scheduleMs.length + 1
 */
export function classifyAttempt(
  result: Answer,
  attempt: number,
  scheduleMs: number[],
  retryAfterMaxMs: number,
  nowMs: number = Date.now(),
): Verdict {
  const { status } = result;
  if (status !== null && status >= 200 && status < 300) return { outcome: 'success' };
  if (result.refused) return { outcome: 'failed', gone: false, reason: 'target refused' };
  if (status === 410) return { outcome: 'failed', gone: true, reason: 'endpoint answered 410 Gone' };
  if (!isRetryableStatus(status)) {
    return { outcome: 'failed', gone: false, reason: status! < 400 ? `redirect (${status}) not followed` : `final status ${status}` };
  }
  if (attempt > scheduleMs.length) return { outcome: 'failed', gone: false, reason: `gave up after ${attempt} attempts` };
  const told = status === 429 || status === 503 ? parseRetryAfter(result.retryAfter, nowMs) : null;
  if (told === null) return { outcome: 'retry', delayMs: scheduleMs[attempt - 1]!, pauseEndpoint: false };
  return { outcome: 'retry', delayMs: Math.min(told, retryAfterMaxMs), pauseEndpoint: true };
}

/** `Retry-After` as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
