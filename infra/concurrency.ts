/**
 * Runs `task(i)` for every i < n, at most `limit` at once. With `ratePerSec`, task i starts no
 * earlier than i / ratePerSec seconds after the first.
 */
export async function forEachLimited(n: number, limit: number, task: (i: number) => Promise<unknown>, ratePerSec?: number): Promise<void> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next++;
        if (ratePerSec) {
          const due = started + (i / ratePerSec) * 1000;
          if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
        }
        await task(i);
      }
    }),
  );
}
