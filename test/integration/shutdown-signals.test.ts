import { startEntry } from '../harness/entry-process';
import { testEnv } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// Ctrl-C on `npm run worker` reaches the worker twice: the terminal signals the whole process group
// (tsx and its node child), and tsx relays the signal to the child as well. The SDK stops listening
// after the first, so the second ended the process by signal in the middle of its shutdown.
test('a worker given SIGINT twice at once (Ctrl-C under tsx) finishes its shutdown and exits 0', async () => {
  const worker = startEntry('bin/worker.ts', testEnv({ LOG_LEVEL: 'warn' }));
  try {
    await waitFor(() => worker.stdout.some((line) => line.includes('worker started')), { timeoutMs: 90_000, what: 'the worker to start' });
    worker.child.kill('SIGINT');
    // tsx's relay comes once its own handler ran: a moment later, while the worker is stopping (two
    // signals sent together would merge into one before the process saw either).
    await new Promise((resolve) => setTimeout(resolve, 200));
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
  } finally {
    await worker.stop();
  }
}, 120_000);
