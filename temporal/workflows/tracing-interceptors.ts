import { OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor, OpenTelemetryOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { WorkflowInterceptors } from '@temporalio/workflow';

/** The header the OpenTelemetry client interceptor writes (`TRACE_HEADER` of @temporalio/interceptors-opentelemetry). */
const TRACE_HEADER = '_tracer-data';

/**
 * Bundled with every workflow (tools/build.ts, the test setup), so one bundle serves with and without
 * tracing: a run started with trace context (only a tracing client writes it) gets the OpenTelemetry
 * workflow interceptors (spans for the run and each activity, context passed on in headers); any other
 * run passes straight through. The interceptors add headers, never commands: histories replay as before.
 */
export const interceptors = (): WorkflowInterceptors => {
  const inbound = new OpenTelemetryInboundInterceptor();
  const outbound = new OpenTelemetryOutboundInterceptor();
  const internals = new OpenTelemetryInternalsInterceptor();
  let traced = false;
  return {
    inbound: [
      {
        execute: (input, next) => {
          traced = TRACE_HEADER in input.headers;
          return traced ? inbound.execute(input, next) : next(input);
        },
        handleSignal: (input, next) => (TRACE_HEADER in input.headers ? inbound.handleSignal(input, next) : next(input)),
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => (traced ? outbound.scheduleActivity(input, next) : next(input)),
        scheduleLocalActivity: (input, next) => (traced ? outbound.scheduleLocalActivity(input, next) : next(input)),
        startChildWorkflowExecution: (input, next) => (traced ? outbound.startChildWorkflowExecution(input, next) : next(input)),
        continueAsNew: (input, next) => (traced ? outbound.continueAsNew(input, next) : next(input)),
        signalWorkflow: (input, next) => (traced ? outbound.signalWorkflow(input, next) : next(input)),
      },
    ],
    internals: [{ dispose: (input, next) => (traced ? internals.dispose(input, next) : next(input)) }],
  };
};
