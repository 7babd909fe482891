import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';

// Tracing on through the runtime's test hook (an in-memory exporter), not the environment.
const exporter = new InMemorySpanExporter();
let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  stack = await startStack({}, { spanExporter: exporter });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

test('one trace links POST /v1/events, the relay’s start, the delivery workflow and activity, and the outbound POST', async () => {
  const tenant = await stack.newTenant();
  await tenant.api.createWebhook({ url: receiver.url });
  exporter.reset();
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await receiver.waitForRequests(1);

  const [publish] = await waitFor(() => named(exporter.getFinishedSpans(), 'POST /v1/events').length === 1 && named(exporter.getFinishedSpans(), 'POST /v1/events'), { what: 'the publish span' });
  const traceId = publish!.spanContext().traceId;
  const expected = ['POST /v1/events', 'StartWorkflow:deliveryWorkflow', 'RunWorkflow:deliveryWorkflow', 'StartActivity:deliver', 'RunActivity:deliver', 'webhook POST'];
  const trace = await waitFor(() => {
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    return expected.every((name) => named(spans, name).length > 0) && spans;
  }, { what: `spans ${expected.join(', ')} in one trace (got ${exporter.getFinishedSpans().map((s) => s.name).join(', ')})` });

  // Each is a child of the one before: the outbox row carried the request's context to the relay.
  const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
  const parentName = (s: ReadableSpan) => byId.get(s.parentSpanId ?? '')?.name;
  expect(parentName(named(trace, 'StartWorkflow:deliveryWorkflow')[0]!)).toBe('POST /v1/events');
  expect(parentName(named(trace, 'RunWorkflow:deliveryWorkflow')[0]!)).toBe('StartWorkflow:deliveryWorkflow');
  expect(parentName(named(trace, 'StartActivity:deliver')[0]!)).toBe('RunWorkflow:deliveryWorkflow');
  expect(parentName(named(trace, 'RunActivity:deliver')[0]!)).toBe('StartActivity:deliver');
  const send = named(trace, 'webhook POST')[0]!;
  expect(parentName(send)).toBe('RunActivity:deliver');
  expect(send.attributes['http.response.status_code']).toBe(200);
  // The host, never the path: a capability URL's path is its secret.
  expect(send.attributes['server.address']).toBe('127.0.0.1');
  expect(Object.keys(send.attributes).filter((k) => k.startsWith('url.'))).toEqual([]);
});
