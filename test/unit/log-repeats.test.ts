import { createRepeatLimiter, repeatKind } from '../../temporal/log-repeats';

test('a kind of line passes once a window; the next one to pass says how many were held back', () => {
  let t = 0;
  const admit = createRepeatLimiter({ windowMs: 60_000, now: () => t });
  const kind = (n: number) => repeatKind('WARN', 'temporalio_client::retry', `gRPC call poll_activity_task_queue retried ${n} times`);
  expect(admit(kind(1))).toEqual({ pass: true, suppressed: 0 });
  for (let n = 2; n <= 500; n++) {
    t += 100;
    expect(admit(kind(n))).toEqual({ pass: false });
  }
  expect(admit(repeatKind('WARN', 'temporalio_sdk_core::worker', 'another line'))).toEqual({ pass: true, suppressed: 0 });
  t = 60_000;
  expect(admit(kind(501))).toEqual({ pass: true, suppressed: 499 });
});

test('kinds differ by level, source and words, not by the numbers in the message', () => {
  expect(repeatKind('WARN', 'a', 'retried 3 times after 120ms')).toBe(repeatKind('WARN', 'a', 'retried 14 times after 5ms'));
  expect(repeatKind('WARN', 'a', 'x')).not.toBe(repeatKind('ERROR', 'a', 'x'));
  expect(repeatKind('WARN', 'a', 'x')).not.toBe(repeatKind('WARN', 'b', 'x'));
});
