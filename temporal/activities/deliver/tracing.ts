import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { tracer, tracingOn } from '../../../infra/tracing';
import type { SendResult } from './destination';

/**
 * The outbound send as a client span (the API's no-op span when tracing is off), naming the URL's host
 * only: a capability URL's path is its secret (Slack, Discord and Teams webhooks), and spans leave for
 * a tracing backend.
 */
export function tracedSend(url: string, send: () => Promise<SendResult>): Promise<SendResult> {
  if (!tracingOn()) return send();
  const target = new URL(url);
  return tracer().startActiveSpan('webhook POST', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'server.address': target.hostname } }, async (span) => {
    try {
      const sent = await send();
      if (sent.status !== null) span.setAttribute('http.response.status_code', sent.status);
      if (sent.error) span.setStatus({ code: SpanStatusCode.ERROR, message: sent.error });
      else if (sent.status !== null && sent.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      return sent;
    } finally {
      span.end();
    }
  });
}
