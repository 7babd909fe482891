/**
 * The rollup's latency histogram (migrations/013_delivery_stats.sql): bucket k (1-based) holds the
 * durations d (ms) with floor(4 * log2(max(d, 1))) = k - 1, up to bucket 80 for everything longer.
 * Buckets are a quarter of a doubling wide (about 19 %), so a percentile is read to within that.
 */
export const LATENCY_BUCKETS = 80;

/** The bucket of a duration, as the database computes it. */
export function latencyBucket(ms: number): number {
  return Math.min(Math.floor(4 * Math.log2(Math.max(ms, 1))) + 1, LATENCY_BUCKETS);
}

/** The middle of bucket k on a log scale, in whole milliseconds (1 ms for the first). */
export function bucketMidpointMs(k: number): number {
  return k === 1 ? 1 : Math.round(2 ** ((k - 0.5) / 4));
}

/** The q-quantile (0 < q < 1) of a histogram given as counts by bucket (index 0 = bucket 1); null when empty. */
export function quantileMs(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return bucketMidpointMs(i + 1);
  }
  return bucketMidpointMs(counts.length);
}
