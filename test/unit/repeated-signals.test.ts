import { holdRepeatedStopSignals } from '../../bin/repeated-signals';
import { createLogger } from '../../infra/logger';

// The SDK's own listener is not here, so each emit reaches only the one under test.
test('a repeat of the stop signal within 3 s is the same stop; a later one exits with the signal’s code', () => {
  const listeners = () => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
  const before = listeners();
  let now = 1_000;
  const exits: number[] = [];
  const release = holdRepeatedStopSignals(createLogger('silent'), { now: () => now, exit: (code) => exits.push(code) });
  try {
    process.emit('SIGINT', 'SIGINT');
    now += 200;
    process.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([]);
    now += 5_000;
    process.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([143]);
  } finally {
    release();
  }
  expect(listeners()).toBe(before);
});
