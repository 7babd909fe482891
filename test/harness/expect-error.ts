import { HooklineApiError } from '../../api/client';

/** The call fails with this HTTP status (and, when given, a message matching `message`). */
export async function expectError(promise: Promise<unknown>, status: number, message?: RegExp): Promise<void> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(HooklineApiError);
  expect((err as HooklineApiError).status).toBe(status);
  if (message) expect((err as HooklineApiError).message).toMatch(message);
}
