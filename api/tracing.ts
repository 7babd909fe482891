import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createMiddleware } from 'hono/factory';
import { tracer, tracingOn } from '../infra/tracing';

/**
 * A server span around a request (when tracing is on), active while the route runs, so what the
 * route stores for later (the outbox's traceparent) continues this trace.
 */
export function traceRequest(name: string) {
  return createMiddleware(async (c, next) => {
    if (!tracingOn()) return next();
    await tracer().startActiveSpan(name, { kind: SpanKind.SERVER, attributes: { 'http.request.method': c.req.method, 'http.route': c.req.routePath } }, async (span) => {
      try {
        await next();
        span.setAttribute('http.response.status_code', c.res.status);
        if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      } finally {
        span.end();
      }
    });
  });
}
