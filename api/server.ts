import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app';
import type { ApiDeps } from './deps';

export interface RunningApi {
  server: ServerType;
  url: string;
  close(): Promise<void>;
}

/** Serves the API on `port` (0 = any free port) with the given dependencies. */
export function serveApi(deps: ApiDeps, port: number, hostname = '0.0.0.0'): Promise<RunningApi> {
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      const host = hostname === '0.0.0.0' ? '127.0.0.1' : hostname;
      resolve({
        server,
        url: `http://${host}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
