import type { ServiceDeps } from './deps';
import { invalid } from '../domain/errors';
import {
  BROKER_SCHEMES,
  credentialsBinding,
  credentialsProblem,
  destinationConfigProblem,
  type BrokerType,
  type Credentials,
  type DestinationConfig,
  type EndpointType,
} from '../domain/destinations';
import { encryptSecret } from '../domain/secrets';
import { checkBrokerUrl, checkEndpointUrl } from '../domain/url-rules';
import type { Destination, SealedCredentials } from '../db/queries/endpoints';

/** What a create or update says about where the endpoint delivers. */
export interface DestinationFields {
  url?: string;
  type?: EndpointType;
  config?: unknown;
  /** Checked here: string values only, in one of the type's sets of fields. */
  credentials?: Record<string, unknown> | null;
}

function sealCredentials(deps: ServiceDeps, endpointId: string, type: BrokerType, credentials: Record<string, unknown> | null | undefined): SealedCredentials | null | undefined {
  if (credentials === undefined || credentials === null) return credentials;
  const problem = credentialsProblem(type, credentials);
  if (problem) throw invalid(...problem);
  return { ciphertext: encryptSecret(deps.config.encryptionKey, JSON.stringify(credentials as Credentials), credentialsBinding(endpointId)), fields: Object.keys(credentials).sort() };
}

async function checkBroker(deps: ServiceDeps, type: BrokerType, config: unknown): Promise<DestinationConfig> {
  const problem = destinationConfigProblem(type, config);
  if (problem) throw invalid(...problem);
  const checked = config as DestinationConfig;
  const refused = await checkBrokerUrl(checked.serverUrl, BROKER_SCHEMES[type].tls, deps.config);
  if (refused) throw invalid('config.serverUrl', refused);
  return checked;
}

/**
 * Checks and seals a destination: for `http`, the url (no config, no credentials); for a broker,
 * its config and credentials (no url: the answer's url is config.serverUrl). 400s name the field.
 * `current` is the stored type on an update (whose type cannot change).
 */
export async function prepareDestination(
  deps: ServiceDeps,
  endpointId: string,
  fields: DestinationFields,
  current?: EndpointType,
): Promise<{ url?: string; destination: Destination }> {
  if (current !== undefined && fields.type !== undefined && fields.type !== current) {
    throw invalid('type', `cannot be changed (this endpoint is ${current}): create a new endpoint`);
  }
  const type = fields.type ?? current ?? 'http';
  if (type === 'http') {
    if (fields.config !== undefined) throw invalid('config', 'is only for broker types (rabbitmq, nats, redis)');
    if (fields.credentials !== undefined) throw invalid('credentials', 'are only for broker types (rabbitmq, nats, redis)');
    if (current === undefined && fields.url === undefined) throw invalid('url', 'is required for type http');
    if (fields.url !== undefined) {
      const problem = await checkEndpointUrl(fields.url, deps.config);
      if (problem) throw invalid('url', problem);
    }
    return { url: fields.url, destination: current === undefined ? { type } : {} };
  }
  if (fields.url !== undefined) throw invalid('url', `is not used for type ${type}: the server is config.serverUrl`);
  if (current === undefined && fields.config === undefined) throw invalid('config', `is required for type ${type}`);
  const config = fields.config === undefined ? undefined : await checkBroker(deps, type, fields.config);
  const credentials = sealCredentials(deps, endpointId, type, fields.credentials);
  return {
    url: config?.serverUrl,
    destination: { ...(current === undefined ? { type } : {}), ...(config ? { config } : {}), ...(credentials !== undefined ? { credentials } : {}) },
  };
}
