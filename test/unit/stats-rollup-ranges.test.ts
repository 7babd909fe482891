import fc from 'fast-check';
import { rollupRanges } from '../../db/queries/stats';
import { STATS_BUCKETS, fillSeries, type StatsBucket } from '../../domain/stats-range';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);

test('a range by the day reads its whole days, the whole hours of its ends and their ragged minutes', () => {
  const r = rollupRanges({ since: at('2026-11-01T21:17:00Z'), until: at('2026-11-04T02:23:00Z'), bucket: 'day' });
  expect(r.day).toEqual([[at('2026-11-02T00:00:00Z'), at('2026-11-04T00:00:00Z')]]);
  expect(r.hour).toEqual([[at('2026-11-01T22:00:00Z'), at('2026-11-02T00:00:00Z')], [at('2026-11-04T00:00:00Z'), at('2026-11-04T02:00:00Z')]]);
  expect(r.minute).toEqual([[at('2026-11-01T21:17:00Z'), at('2026-11-01T22:00:00Z')], [at('2026-11-04T02:00:00Z'), at('2026-11-04T02:23:00Z')]]);
});

test('a range by the hour reads no day rows, by the minute (or minutes only) minute rows only', () => {
  const range = { since: at('2026-11-01T21:17:00Z'), until: at('2026-11-04T02:23:00Z') };
  const none = [range.until, range.until];
  const byHour = rollupRanges({ ...range, bucket: 'hour' });
  expect(byHour.day).toEqual([none]);
  expect(byHour.hour).toEqual([[at('2026-11-01T22:00:00Z'), at('2026-11-04T02:00:00Z')], none]);
  for (const r of [rollupRanges({ ...range, bucket: 'minute' }), rollupRanges({ ...range, bucket: 'day' }, true)]) {
    expect(r).toEqual({ day: [none], hour: [none, none], minute: [[range.since, range.until], none] });
  }
});

test('for any range, the spans cover it exactly once, each aligned to its level', () => {
  const minutes = fc.integer({ min: 0, max: 60 * 24 * 90 });
  fc.assert(
    fc.property(minutes, fc.integer({ min: 1, max: 60 * 24 * 40 }), fc.constantFrom<StatsBucket>(...STATS_BUCKETS), (start, length, bucket) => {
      const since = new Date(Date.UTC(2026, 0, 1) + start * MINUTE);
      const until = new Date(since.getTime() + length * MINUTE);
      const r = rollupRanges({ since, until, bucket });
      const spans = [...r.day.map((s) => ({ s, unit: DAY })), ...r.hour.map((s) => ({ s, unit: HOUR })), ...r.minute.map((s) => ({ s, unit: MINUTE }))]
        .filter(({ s }) => s[0] < s[1])
        .sort((a, b) => a.s[0].getTime() - b.s[0].getTime());
      let covered = since.getTime();
      for (const { s, unit } of spans) {
        expect(s[0].getTime()).toBe(covered);
        expect(s[0].getTime() % unit).toBe(0);
        expect(s[1].getTime() % unit).toBe(0);
        covered = s[1].getTime();
      }
      expect(covered).toBe(until.getTime());
      if (bucket !== 'day') expect(r.day[0][0].getTime()).toBe(r.day[0][1].getTime());
    }),
  );
});

test('a series has one point per bucket from the one since falls in to the one before until, the counted ones filled in', () => {
  const r = { since: at('2026-11-01T21:17:00Z'), until: at('2026-11-01T21:21:00Z'), bucket: 'minute' as const };
  const s = fillSeries(r, [{ at: at('2026-11-01T21:19:00Z').getTime(), success: 3, failed: 1, attempts: 5 }]);
  expect(s.map((p) => p.start.toISOString())).toEqual(['2026-11-01T21:17:00.000Z', '2026-11-01T21:18:00.000Z', '2026-11-01T21:19:00.000Z', '2026-11-01T21:20:00.000Z']);
  expect(s.map((p) => [p.success, p.failed, p.attempts])).toEqual([[0, 0, 0], [0, 0, 0], [3, 1, 5], [0, 0, 0]]);
  const byDay = fillSeries({ since: at('2026-11-01T21:17:00Z'), until: at('2026-11-03T00:01:00Z'), bucket: 'day' }, []);
  expect(byDay.map((p) => p.start.toISOString())).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z']);
});

test('for any range and bucket, the series covers it with aligned, consecutive buckets and keeps every count', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60 * 24 * 60 }), fc.integer({ min: 1, max: 60 * 24 * 40 }), fc.constantFrom(...STATS_BUCKETS), fc.array(fc.nat(1000), { maxLength: 20 }), (startMin, lengthMin, bucket: StatsBucket, offsets) => {
      const since = new Date(Date.UTC(2026, 0, 1) + startMin * MINUTE);
      const until = new Date(since.getTime() + lengthMin * MINUTE);
      const unit = { minute: MINUTE, hour: HOUR, day: DAY }[bucket];
      const starts = [...new Set(offsets.map((o) => Math.floor((since.getTime() + (o % lengthMin) * MINUTE) / unit) * unit))];
      const s = fillSeries({ since, until, bucket }, starts.map((t) => ({ at: t, success: 1, failed: 2, attempts: 3 })));
      expect(s[0]!.start.getTime()).toBeLessThanOrEqual(since.getTime());
      expect(s[0]!.start.getTime() + unit).toBeGreaterThan(since.getTime());
      expect(s.at(-1)!.start.getTime()).toBeLessThan(until.getTime());
      expect(s.at(-1)!.start.getTime() + unit).toBeGreaterThanOrEqual(until.getTime());
      s.forEach((p, i) => i > 0 && expect(p.start.getTime() - s[i - 1]!.start.getTime()).toBe(unit));
      expect(s.reduce((n, p) => n + p.success, 0)).toBe(starts.length);
    }),
  );
});
