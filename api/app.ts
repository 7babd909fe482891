import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps } from './deps';
import { requestId } from 'hono/request-id';
import { HooklineError } from '../domain/errors';
import { bodyLimits, closeIfBodyUnread } from './body-limits';
import { createErrorHandler, errorResponse } from './errors';
import { deliveryRoutes } from './routes/deliveries';
import { recoveryRoutes } from './routes/recoveries';
import { eventRoutes } from './routes/events';
import { eventLogRoutes } from './routes/event-log';
import { eventTypeRoutes } from './routes/event-types';
import { systemRoutes } from './routes/system';
import { tenantRoutes } from './routes/tenants';
import { webhookRoutes } from './routes/webhooks';
import { apiSecureHeaders } from './secure-headers';
import { traceRequest } from './tracing';
import { portalSessionKey } from './auth';
import { adminRoutes } from './routes/admin';
import { authFailureLimit } from './auth-failure-limit';
import { uiRoutes } from './routes/ui';
import { statsRoutes } from './routes/stats';

/** The whole HTTP API, built from its dependencies. */
export function createApp(deps: ApiDeps) {
  const app = new OpenAPIHono();
  const onError = createErrorHandler(deps.log);
  app.use('*', requestId());
  app.use('*', closeIfBodyUnread);
  app.use('*', apiSecureHeaders(deps.config.portalFrameAncestors));
  app.use('*', async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } catch (err) {
      // Hono hands only Error instances to onError; anything else thrown (a string, an error from
      // another realm) would end as a bare 500 with no body, so wrap it and answer here.
      c.res = await onError(new Error(String((err as { message?: unknown })?.message ?? err), { cause: err }), c);
    }
    // Method, path and status only: never headers or bodies, which hold keys and secrets.
    deps.log.info({ requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use('*', authFailureLimit(deps.config.authFailuresPerMinute));
  app.use('/v1/*', async (c, next) => {
    const type = c.req.header('content-type');
    if (['POST', 'PATCH', 'PUT'].includes(c.req.method) && type && !/^application\/json\b/i.test(type)) {
      throw new HooklineError('unsupported_media_type', 'content-type: must be application/json');
    }
    await next();
  });
  app.use('*', bodyLimits(deps.config.maxPayloadBytes));
  app.on('POST', '/v1/events', traceRequest('POST /v1/events'));
  app.use('/v1/*', portalSessionKey(deps.config.encryptionKey));

  app.route('/', systemRoutes(deps));
  app.route('/v1/tenants', tenantRoutes(deps));
  app.route('/v1', eventRoutes(deps));
  app.route('/v1', eventLogRoutes(deps));
  app.route('/v1/event-types', eventTypeRoutes(deps));
  // Before the webhooks router: its tenant auth would refuse the admin token these reads also take.
  app.route('/v1', statsRoutes(deps));
  app.route('/v1/webhooks', webhookRoutes(deps));
  app.route('/v1/deliveries', deliveryRoutes(deps));
  app.route('/v1/recoveries', recoveryRoutes(deps));
  app.route('/v1/admin', adminRoutes(deps));
  app.route('/', uiRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Hookline', version: deps.config.version, description: 'Signed, durable webhook delivery on Temporal' },
  });
  app.notFound((c) => errorResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError(onError);
  return app;
}
