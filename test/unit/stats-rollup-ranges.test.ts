import fc from 'fast-check';
import { rollupRanges } from '../../db/queries/stats';
import { STATS_BUCKETS, type StatsBucket } from '../../domain/stats-range';

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
