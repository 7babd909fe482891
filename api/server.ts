import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app';
import type { ApiDeps } from './deps';
import { createOpsApp, type OpsDeps } from './ops-app';
import { loadEventCatalogueAtStart } from './event-catalogue-start';
import { ListenError } from './listen-error';
import { finishBeforeRefusing } from './client-errors';

export interface RunningApi {
  server: ServerType;
  url: string;
  close(): Promise<void>;
}

function listen(fetch: (req: Request) => Response | Promise<Response>, port: number, hostname: string): Promise<RunningApi> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, (info) => {
      server.removeListener('error', refuse);
      const host = hostname === '0.0.0.0' || hostname === '::' ? '127.0.0.1' : hostname.includes(':') ? `[${hostname}]` : hostname;
      resolve({
        server,
        url: `http://${host}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
    // A bind failure is the operator's to fix (a busy port, a wrong HOST): a message, never a stack trace.
    const refuse = (err: NodeJS.ErrnoException) => reject(err.code ? new ListenError(`${hostname}:${port}`, err.code) : err);
    server.once('error', refuse);
    finishBeforeRefusing(server as Server);
  });
}

/**
 * Serves the API on `port` (0 = any free port) with the given dependencies, after loading the
 * event-type catalogue file (a first start finds the seed types; see services/event-types.ts).
 */
export async function serveApi(deps: ApiDeps, port: number, hostname = '0.0.0.0'): Promise<RunningApi> {
  await loadEventCatalogueAtStart(deps);
  return listen(createApp(deps).fetch, port, hostname);
}

/** Serves /healthz and /metrics alone on `port` (HOOKLINE_METRICS_PORT). */
export function serveOps(deps: OpsDeps, port: number, hostname = '0.0.0.0'): Promise<RunningApi> {
  return listen(createOpsApp(deps).fetch, port, hostname);
}
