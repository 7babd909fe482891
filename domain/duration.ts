const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "500ms", "1s", "5m", "1.5h", "2d" into milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 500ms, 1s, 5m, 1h, 2d)`);
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  if (!Number.isFinite(ms)) throw new Error(`"${text}" is too large`);
  return Math.round(ms);
}

const MAX_RETRY_DELAY_MS = 7 * 86_400_000;

/** Delays between attempts: "1s,5s,25s" → [1000, 5000, 25000]. The attempt count is delays + 1. */
export function parseRetrySchedule(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new Error(`"${text}" is not a list of durations (use e.g. 1s,5s,25s)`);
  }
  if (parts.length > 50) throw new Error('at most 50 retries');
  const delays = parts.map(parseDuration);
  // A delay is a Temporal retry interval and an int4 in tenant_settings: keep it to a week.
  const tooLong = parts.find((_, i) => delays[i]! > MAX_RETRY_DELAY_MS);
  if (tooLong !== undefined) throw new Error(`"${tooLong}": a delay may be at most 7d`);
  return delays;
}
