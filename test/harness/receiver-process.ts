import { fork } from 'node:child_process';
import path from 'node:path';
import type { Received } from '../../tools/testkit/receiver';
import { waitFor } from '../../tools/testkit/wait';

/** A receiver answering 200 from its own process (test/harness/receiver-child.ts), whose arrival times are honest while the test process is busy. */
export interface ReceiverProcess {
  url: string;
  requests: Received[];
  waitForRequests(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiverProcess(): Promise<ReceiverProcess> {
  const child = fork(path.join(__dirname, 'receiver-child.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const requests: Received[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('receiver process did not start within 30 s')), 30_000);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`receiver process exited with ${code}`))));
    child.on('message', (m: Received | { url: string }) => {
      if ('at' in m) return void requests.push(m);
      clearTimeout(timer);
      resolve(m.url);
    });
  });
  return {
    url,
    requests,
    waitForRequests: (n, timeoutMs = 30_000) => waitFor(() => requests.length >= n && requests.slice(0, n), { timeoutMs, what: `${n} requests at the receiver (got ${requests.length})` }),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
