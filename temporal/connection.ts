import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../infra/config';

export interface TemporalConnection {
  connection: NativeConnection;
  /** Built on the worker's kind of connection, so a worker in the same process can take eager starts. */
  client: Client;
}

/** One connection per process: the API's client, the relay's starts and the worker all share it. */
export async function connectToTemporal(config: Config): Promise<TemporalConnection> {
  const { address, namespace, apiKey, tls } = config.temporal;
  const connection = await NativeConnection.connect({ address, tls: tls || undefined, apiKey });
  return { connection, client: new Client({ connection, namespace }) };
}
