import { invalid } from './errors';

/** The statistics' time ranges: what a request may ask for and the whole minutes it is answered for. */

export const STATS_BUCKETS = ['minute', 'hour', 'day'] as const;
export type StatsBucket = (typeof STATS_BUCKETS)[number];

export const BUCKET_MS: Record<StatsBucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Points a series may have: a day by the minute, about two months by the hour, four years by the day. */
export const MAX_SERIES_POINTS = 1500;
const DEFAULT_SPAN_MS = 24 * 3_600_000;
const MINUTE = 60_000;

export interface StatsRange {
  since: Date;
  until: Date;
  bucket: StatsBucket;
}

/**
 * The range a statistics request covers. The rollup counts by the minute a delivery was created, so
 * `since` is rounded down and `until` up to whole minutes (UTC) and the answer states the range it
 * covers; the delivery log asked for that same range (created_at >= since and < until) lists exactly
 * the deliveries counted. Defaults: the 24 hours up to now, by the hour.
 */
export function resolveStatsRange(q: { since?: Date; until?: Date; bucket?: StatsBucket }, now: Date): StatsRange {
  const bucket = q.bucket ?? 'hour';
  const until = new Date(Math.ceil((q.until ?? now).getTime() / MINUTE) * MINUTE);
  const since = new Date(Math.floor((q.since ?? new Date(until.getTime() - DEFAULT_SPAN_MS)).getTime() / MINUTE) * MINUTE);
  if (since.getTime() >= until.getTime()) throw invalid(q.until ? 'until' : 'since', 'must be after since (and since before until)');
  const points = Math.ceil((until.getTime() - since.getTime()) / BUCKET_MS[bucket]);
  if (points > MAX_SERIES_POINTS) {
    throw invalid('bucket', `${points} ${bucket}s in this range, at most ${MAX_SERIES_POINTS}: a larger bucket or a shorter range`);
  }
  return { since, until, bucket };
}

/** success / (success + failed), null when neither happened. */
export function successRate(success: number, failed: number): number | null {
  return success + failed === 0 ? null : success / (success + failed);
}

export interface SeriesPoint {
  start: Date;
  success: number;
  failed: number;
  attempts: number;
}

/**
 * A range's series, one point per bucket (UTC) from the one `since` falls in to the one before
 * `until`, from the buckets that counted something (`at`: a bucket's start, epoch ms). Filled here
 * rather than in SQL: a day by the minute is 1,440 points, most of them often empty, and building
 * and sorting them there cost more than the rest of the statement.
 */
export function fillSeries(r: StatsRange, counted: { at: number; success: number; failed: number; attempts: number }[]): SeriesPoint[] {
  const unit = BUCKET_MS[r.bucket];
  const byStart = new Map(counted.map((p) => [p.at, p]));
  const out: SeriesPoint[] = [];
  for (let at = Math.floor(r.since.getTime() / unit) * unit; at < r.until.getTime(); at += unit) {
    const p = byStart.get(at);
    out.push({ start: new Date(at), success: p?.success ?? 0, failed: p?.failed ?? 0, attempts: p?.attempts ?? 0 });
  }
  return out;
}
