import type { ApiDeps } from '../deps';
import { renderDocsPage } from '../docs-page';
import { cspNonce } from '../secure-headers';
import { probeRoutes } from './probes';
import { createRouter } from '../router';

/** Liveness, Prometheus metrics and the docs page. */
export function systemRoutes(deps: ApiDeps) {
  const app = createRouter();
  app.route('/', probeRoutes(deps));
  app.get('/docs', (c) => c.html(renderDocsPage('/openapi.json', cspNonce(c))));
  return app;
}
