/**
 * Bounds a flood of one log line: the first of a kind passes, the same kind within `windowMs` is
 * counted instead, and the next one to pass carries that count. During a Temporal outage the SDK core
 * logs every retried call (hundreds of lines a minute); the operator needs one a minute and a total.
 */
export function createRepeatLimiter(opts: { windowMs: number; maxKinds?: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const maxKinds = opts.maxKinds ?? 1_000;
  const kinds = new Map<string, { until: number; suppressed: number }>();
  return (kind: string): { pass: false } | { pass: true; suppressed: number } => {
    const t = now();
    const seen = kinds.get(kind);
    if (seen && t < seen.until) {
      seen.suppressed += 1;
      return { pass: false };
    }
    // Kinds are few (a message with its numbers blanked); the cap only guards against a pathological stream.
    if (!seen && kinds.size >= maxKinds) kinds.clear();
    kinds.set(kind, { until: t + opts.windowMs, suppressed: 0 });
    return { pass: true, suppressed: seen?.suppressed ?? 0 };
  };
}

/** One kind for lines that differ only in their counts, durations or ids ("retried 3 times" and "retried 4 times"). */
export function repeatKind(level: string, target: unknown, message: string): string {
  return `${level} ${String(target ?? '')} ${message.replace(/\d+/g, '#')}`;
}
