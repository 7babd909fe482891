import { createServer, type Socket } from 'node:net';
import { createSql } from '../../db/sql';
import { freePort } from '../../tools/testkit/free-port';

// A Postgres whose port accepts and then says nothing (a stalled server, a half-open network path):
// a query fails well inside an activity's 30 s start-to-close timeout, so the attempt that made it
// ends (and retries) before Temporal gives up on it and starts another beside it.
test('a query to a Postgres that never answers fails within 15 s, not after the activity timed out', async () => {
  const port = await freePort();
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
  const sql = createSql(`postgres://hookline_app@127.0.0.1:${port}/hookline`, { max: 1 });
  const started = Date.now();
  try {
    const failure = await Promise.race([
      sql`select 1`.then(() => 'answered', (err: Error) => err.message),
      new Promise((resolve) => setTimeout(resolve, 25_000, 'still waiting after 25 s')),
    ]);
    expect(failure).toMatch(/CONNECT_TIMEOUT|timeout/i);
    expect(Date.now() - started).toBeLessThan(15_000);
  } finally {
    await sql.end({ timeout: 0 });
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
}, 40_000);
