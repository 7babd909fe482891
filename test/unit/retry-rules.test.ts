import { classifyAttempt, parseRetryAfter } from '../../domain/classify';
import { loadConfig } from '../../infra/config';
import { parseDuration, parseRetrySchedule } from '../../domain/duration';

describe('retry schedule', () => {
  test('parses the two products’ schedules', () => {
    expect(parseRetrySchedule('1s,5s,25s')).toEqual([1_000, 5_000, 25_000]);
    expect(parseRetrySchedule('30s, 5m, 30m')).toEqual([30_000, 300_000, 1_800_000]);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5h')).toBe(5_400_000);
  });

  test.each(['', '1s,,5s', 'soon', '5', '-1s', '1w'])('rejects %p', (bad) => {
    expect(() => parseRetrySchedule(bad)).toThrow();
  });

  test('the default is 1s, 5s, 25s: four attempts in all', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.retryScheduleMs).toEqual([1_000, 5_000, 25_000]);
    const schedule = config.retryScheduleMs;
    const verdicts = [1, 2, 3, 4].map((attempt) => classifyAttempt({ status: 503 }, attempt, schedule, 3_600_000));
    expect(verdicts).toEqual([
      { outcome: 'retry', delayMs: 1_000, pauseEndpoint: false },
      { outcome: 'retry', delayMs: 5_000, pauseEndpoint: false },
      { outcome: 'retry', delayMs: 25_000, pauseEndpoint: false },
      { outcome: 'failed', gone: false, reason: 'gave up after 4 attempts' },
    ]);
  });
});

describe('attempt classification', () => {
  const schedule = [1_000, 5_000];
  const classify = (status: number | null, retryAfter?: string) => classifyAttempt({ status, retryAfter }, 1, schedule, 60_000, 0);

  test('2xx succeeds', () => {
    expect(classify(200).outcome).toBe('success');
    expect(classify(204).outcome).toBe('success');
  });
  test('4xx is final except 408 and 429; 410 means gone', () => {
    expect(classify(400)).toMatchObject({ outcome: 'failed', gone: false });
    expect(classify(404)).toMatchObject({ outcome: 'failed', gone: false });
    expect(classify(410)).toMatchObject({ outcome: 'failed', gone: true });
    expect(classify(408).outcome).toBe('retry');
    expect(classify(429).outcome).toBe('retry');
  });
  test('5xx, timeouts and connection errors are retried on the schedule', () => {
    expect(classify(500)).toEqual({ outcome: 'retry', delayMs: 1_000, pauseEndpoint: false });
    expect(classify(null)).toEqual({ outcome: 'retry', delayMs: 1_000, pauseEndpoint: false });
  });
  test('redirects are not followed and not retried', () => {
    expect(classify(302)).toMatchObject({ outcome: 'failed', reason: 'redirect (302) not followed' });
  });
  test('Retry-After on 429 and 503 sets the delay, capped', () => {
    expect(classify(429, '7')).toEqual({ outcome: 'retry', delayMs: 7_000, pauseEndpoint: true });
    expect(classify(503, '7')).toEqual({ outcome: 'retry', delayMs: 7_000, pauseEndpoint: true });
    expect(classify(429, '99999')).toEqual({ outcome: 'retry', delayMs: 60_000, pauseEndpoint: true });
    expect(classify(500, '7')).toEqual({ outcome: 'retry', delayMs: 1_000, pauseEndpoint: false }); // only 429/503 name a pause
  });
  test('Retry-After as an HTTP date', () => {
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 0)).toBe(10_000);
    expect(parseRetryAfter('nonsense', 0)).toBeNull();
  });
  test('a refused target is final', () => {
    expect(classifyAttempt({ status: null, refused: true }, 1, schedule, 60_000)).toMatchObject({ outcome: 'failed' });
  });
});
