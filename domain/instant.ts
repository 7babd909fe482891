/**
 * Instants as the API takes them: ISO 8601 with a zone (2026-11-24T10:00:00Z, …+02:00, fractions to
 * the microsecond) or a UTC day (2026-11-24). Each field is checked as written, so 30 February or
 * 24:00 is refused rather than rolled over, whatever the zone.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-](\d{2}):(\d{2})))?$/;

const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const INSTANT_HINT = 'must be an ISO 8601 time with its zone (2026-11-24T10:00:00Z) or a day (2026-11-24)';

/** The instant, or a problem to report on the field. */
export function parseInstant(text: string): Date | string {
  const m = INSTANT.exec(text);
  if (!m) return INSTANT_HINT;
  const [, y, mo, d, h = '0', mi = '0', s = '0', , oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth) return 'not a calendar time';
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(oh) > 14 || Number(om) > 59) return 'not a calendar time';
  const at = new Date(text);
  // A zone behind UTC can carry 9999-12-31 into the year 10000, which Postgres cannot take.
  return Number.isNaN(at.getTime()) || at.getTime() > LAST_INSTANT ? 'not a calendar time' : at;
}
