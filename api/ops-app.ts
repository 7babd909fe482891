import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../infra/logger';
import { createErrorHandler, errorResponse } from './errors';
import { probeRoutes, type ProbeDeps } from './routes/probes';
import { apiSecureHeaders } from './secure-headers';

export interface OpsDeps extends ProbeDeps {
  log: Logger;
}

/** What the metrics listener (HOOKLINE_METRICS_PORT) serves: the process's liveness and its own metrics. */
export function createOpsApp(deps: OpsDeps) {
  const app = new Hono();
  app.use('*', requestId());
  app.use('*', apiSecureHeaders());
  app.route('/', probeRoutes(deps, 'metrics-listener'));
  app.notFound((c) => errorResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError(createErrorHandler(deps.log));
  return app;
}
