import { createServer } from 'node:net';

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports on `host` that nothing listens on right now (the real
 * Temporal server binds its frontend port and the 8 after it). Picked below Linux's ephemeral range
 * (32768+), where `freePort()` and outgoing connections take theirs, so the block stays free.
 */
export async function freePortBlock(count: number, host = '127.0.0.1', range: [number, number] = [20_000, 32_000]): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const base = range[0] + Math.floor(Math.random() * (range[1] - range[0] - count));
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await isFree(p, host);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports on ${host} in ${range.join('-')}`);
}
