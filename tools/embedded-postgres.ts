import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild } from './temporal/temporal-dev-server';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite (Postgres compiled to WebAssembly) behind its wire-protocol socket, in a child process,
 * for `npm run dev` on a machine with no Postgres. Its data stays in `dataDir` across restarts.
 */
export async function startEmbeddedPostgres(dataDir: string, port = 0, timeoutMs = 60_000): Promise<EmbeddedPostgres> {
  const child = spawn(process.execPath, [path.join(__dirname, 'pglite-server.mjs'), dataDir, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`embedded Postgres did not start within ${timeoutMs} ms`)), timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const ready = /^ready (\S+)$/.exec(line);
      if (!ready) return;
      clearTimeout(timer);
      resolve(ready[1]!);
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`embedded Postgres exited with ${code}`))));
  }).catch(async (err: unknown) => {
    await stopChild(child);
    throw err;
  });
  return { url: `postgres://postgres@${address}/postgres`, stop: () => stopChild(child) };
}
