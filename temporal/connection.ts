import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../infra/config';

export interface TemporalConnection {
  connection: NativeConnection;
  /** Built on the worker's kind of connection, so a worker in the same process can take eager starts. */
  client: Client;
}

/** One connection per process: the API's client, the relay's starts and the worker all share it. */
export async function connectToTemporal(config: Config, opts: { tracing?: boolean } = {}): Promise<TemporalConnection> {
  const { address, namespace, apiKey, tls } = config.temporal;
  const connection = await NativeConnection.connect({ address, tls: tls || undefined, apiKey });
  // Tracing: every start and signal gets a span and carries its context to the workflow in a header.
  const interceptors = opts.tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
  return { connection, client: new Client({ connection, namespace, interceptors }) };
}
