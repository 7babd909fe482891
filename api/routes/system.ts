import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps';
import { renderDocsPage } from '../docs-page';

/** Liveness, Prometheus metrics and the docs page. */
export function systemRoutes({ sql, metrics, config }: ApiDeps) {
  const app = new OpenAPIHono();
  app.get('/healthz', (c) => c.json({ status: 'ok', version: config.version }));
  app.get('/metrics', async (c) => {
    // Figures across all tenants, read as the owning role (not under tenant RLS).
    const deliveries = await sql<{ status: string; n: string }[]>`select status, count(*) as n from deliveries group by status`;
    const [endpoints] = await sql<{ disabled: string; total: string }[]>`
      select count(*) filter (where not enabled) as disabled, count(*) as total from endpoints`;
    const lines = [
      '# HELP hookline_deliveries Deliveries in the log, by status',
      '# TYPE hookline_deliveries gauge',
      ...['pending', 'success', 'failed'].map((s) => `hookline_deliveries{status="${s}"} ${deliveries.find((d) => d.status === s)?.n ?? 0}`),
      '# HELP hookline_endpoints_disabled Endpoints currently disabled',
      '# TYPE hookline_endpoints_disabled gauge',
      `hookline_endpoints_disabled ${endpoints?.disabled ?? 0}`,
      '# HELP hookline_endpoints Endpoints in all',
      '# TYPE hookline_endpoints gauge',
      `hookline_endpoints ${endpoints?.total ?? 0}`,
    ];
    const body = `${await metrics.registry.metrics()}\n${lines.join('\n')}\n`;
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  });
  app.get('/docs', (c) => c.html(renderDocsPage('/openapi.json')));
  return app;
}
