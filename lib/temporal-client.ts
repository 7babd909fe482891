import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

export async function connectTemporalClient(config: Config): Promise<Client> {
  const { address, namespace, apiKey, tls } = config.temporal;
  const connection = await Connection.connect({ address, tls: tls || undefined, apiKey });
  return new Client({ connection, namespace });
}
