import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';

/**
 * For a test file: a stack (API + worker) and one receiver, started before its tests and stopped
 * after. Read them as `env.stack` and `env.receiver` inside tests.
 */
export function useStackAndReceiver(overrides: Record<string, string> = {}): { readonly stack: Stack; readonly receiver: Receiver } {
  const env = {} as { stack: Stack; receiver: Receiver };
  beforeAll(async () => {
    env.stack = await startStack(overrides);
    env.receiver = await startReceiver();
  });
  afterAll(async () => {
    await env.receiver?.close();
    await env.stack?.stop();
  });
  return env;
}
