import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Config } from './config';

/**
 * OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (or a test passes an exporter):
 * off, the SDK is not even loaded and every span below is the API's no-op. On, one tracer provider
 * for the process (AsyncLocalStorage context, W3C traceparent), spans batched to OTLP over HTTP.
 */
export interface Tracing {
  /** For the worker's workflow-span sink (spans made inside workflows leave through it). */
  processor: SpanProcessor;
  resource: Resource;
  shutdown(): Promise<void>;
}

let on = false;
/** Whether this process traces: code that would do work only for a span (parse a URL, name a route) asks first. */
export const tracingOn = () => on;

export function startTracing(config: Config, opts: { exporter?: SpanExporter } = {}): Tracing | undefined {
  if (!config.tracing && !opts.exporter) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { Resource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const resource = new Resource({ 'service.name': config.tracing?.serviceName ?? 'hookline', 'service.version': config.version });
  const processor = opts.exporter
    ? new SimpleSpanProcessor(opts.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.tracing!.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  on = true;
  return {
    processor,
    resource,
    async shutdown() {
      on = false;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export const tracer = () => trace.getTracer('hookline');

/** The current span as a W3C traceparent, to store beside work that continues elsewhere (the outbox); null when not tracing. */
export function currentTraceparent(): string | null {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** Runs `fn` as a continuation of a stored traceparent (or as it is, without one). */
export function withTraceparent<T>(traceparent: string | null | undefined, fn: () => T): T {
  if (!traceparent) return fn();
  return context.with(propagation.extract(ROOT_CONTEXT, { traceparent }), fn);
}
