import { textProblem } from './json-depth';
/**
 * Where an endpoint delivers: an HTTP URL (the default) or a message broker. The one definition of
 * the types, their `config` and `credentials` shapes, and the outcome codes a broker attempt logs.
 * Pure: the API, the services and the activities all check with these.
 */
export const ENDPOINT_TYPES = ['http', 'rabbitmq', 'nats', 'redis'] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];
export type BrokerType = Exclude<EndpointType, 'http'>;

export interface RabbitConfig { serverUrl: string; exchange: string; routingKey?: string }
export interface NatsConfig { serverUrl: string; subject: string }
export interface RedisConfig { serverUrl: string; stream: string; maxLen?: number }
export type DestinationConfig = RabbitConfig | NatsConfig | RedisConfig;
export type Credentials = Record<string, string>;

/** The URL schemes of each broker type: the first plain, the rest over TLS. */
export const BROKER_SCHEMES: Record<BrokerType, { plain: string; tls: string[] }> = {
  rabbitmq: { plain: 'amqp:', tls: ['amqps:'] },
  nats: { plain: 'nats:', tls: ['tls:'] },
  redis: { plain: 'redis:', tls: ['rediss:'] },
};

/** The attempt log's `outcome` for a broker attempt (HTTP attempts leave it null: their status says it). */
export const BROKER_OUTCOMES = {
  taken: ['confirmed', 'acked', 'duplicate', 'appended'],
  retry: ['refused', 'reset', 'timeout', 'dns', 'unreachable', 'no_responders', 'broker_error'],
  final: ['auth_failed', 'not_found', 'not_allowed', 'unroutable', 'no_stream', 'wrong_type', 'bad_config', 'target_refused'],
} as const;

/**
 * The HTTP status a broker outcome stands for, so one classifier decides retries and failure counts:
 * taken 202, final 400 (not 410: a broker never disables an endpoint at once), retry null (like a
 * network error). The attempt log keeps the broker's own code beside it.
 */
export function equivalentStatus(verdict: 'taken' | 'retry' | 'final'): number | null {
  return verdict === 'taken' ? 202 : verdict === 'final' ? 400 : null;
}

const NAME = /^[\w.:\-/]{1,255}$/;
const SUBJECT = /^(?:[\w\-{}]+|\*|>)(?:\.(?:[\w\-{}]+|\*|>))*$/;

const CONFIG_FIELDS: Record<BrokerType, { required: string[]; optional: string[] }> = {
  rabbitmq: { required: ['serverUrl', 'exchange'], optional: ['routingKey'] },
  nats: { required: ['serverUrl', 'subject'], optional: [] },
  redis: { required: ['serverUrl', 'stream'], optional: ['maxLen'] },
};
const CREDENTIAL_SETS: Record<BrokerType, string[][]> = {
  rabbitmq: [['username', 'password']],
  nats: [['token'], ['username', 'password']],
  redis: [['password'], ['username', 'password']],
};

export type Problem = [field: string, message: string];

function serverUrlProblem(type: BrokerType, raw: unknown): Problem | null {
  if (typeof raw !== 'string' || raw.length > 2048) return ['config.serverUrl', 'must be a URL string of at most 2048 characters'];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return ['config.serverUrl', 'must be an absolute URL'];
  }
  const { plain, tls } = BROKER_SCHEMES[type];
  if (url.protocol !== plain && !tls.includes(url.protocol)) return ['config.serverUrl', `must use ${[plain, ...tls].map((s) => `${s}//`).join(' or ')} for type ${type}`];
  if (url.username || url.password) return ['config.serverUrl', 'must not contain credentials: give them in credentials'];
  if (!url.hostname) return ['config.serverUrl', 'must have a host'];
  if (url.search || url.hash) return ['config.serverUrl', 'must not have a query or fragment'];
  if (type === 'redis' && url.pathname.length > 1 && !/^\/\d{1,2}$/.test(url.pathname)) return ['config.serverUrl', 'the path, when given, is the database number (redis://host:6379/0)'];
  if (type === 'nats' && url.pathname.length > 1) return ['config.serverUrl', 'must not have a path'];
  return null;
}

function fieldsProblem(type: BrokerType, config: Record<string, unknown>): Problem | null {
  const { required, optional } = CONFIG_FIELDS[type];
  const unknown = Object.keys(config).find((k) => !required.includes(k) && !optional.includes(k));
  if (unknown) return [`config.${unknown}`, `is not a field of a ${type} destination (${[...required, ...optional].join(', ')})`];
  const missing = required.find((k) => config[k] === undefined);
  if (missing) return [`config.${missing}`, `is required for type ${type}`];
  return null;
}

/** A string Postgres could not store (the URL parser drops a trailing NUL, so the check comes first). */
function storableProblem(config: Record<string, unknown>): Problem | null {
  for (const [field, value] of Object.entries(config)) {
    const problem = typeof value === 'string' ? textProblem(value) : null;
    if (problem) return [`config.${field}`, problem];
  }
  return null;
}

function rabbitProblem(c: Record<string, unknown>): Problem | null {
  if (typeof c.exchange !== 'string' || !NAME.test(c.exchange)) return ['config.exchange', 'must be an exchange name (1 to 255 letters, digits, _ . : - /)'];
  if (c.routingKey !== undefined && (typeof c.routingKey !== 'string' || c.routingKey.length > 255)) return ['config.routingKey', 'must be a string of at most 255 characters (absent: the event type)'];
  return null;
}

function natsProblem(c: Record<string, unknown>): Problem | null {
  if (typeof c.subject !== 'string' || c.subject.length > 255 || !SUBJECT.test(c.subject) || /[*>]/.test(c.subject)) {
    return ['config.subject', 'must be a NATS subject without wildcards (tokens of letters, digits, _ - separated by dots; {type} stands for the event type)'];
  }
  return null;
}

function redisProblem(c: Record<string, unknown>): Problem | null {
  if (typeof c.stream !== 'string' || c.stream.length < 1 || c.stream.length > 255) return ['config.stream', 'must be a stream key of 1 to 255 characters'];
  if (c.maxLen !== undefined && (!Number.isInteger(c.maxLen) || (c.maxLen as number) < 1 || (c.maxLen as number) > 1e9)) return ['config.maxLen', 'must be a whole number from 1 to 1000000000'];
  return null;
}

/** Why this config does not fit the type, naming the field; null when it does. */
export function destinationConfigProblem(type: BrokerType, config: unknown): Problem | null {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return ['config', `is required for type ${type} and must be an object`];
  const c = config as Record<string, unknown>;
  return fieldsProblem(type, c) ?? storableProblem(c) ?? serverUrlProblem(type, c.serverUrl)
    ?? (type === 'rabbitmq' ? rabbitProblem(c) : type === 'nats' ? natsProblem(c) : redisProblem(c));
}

/** Why these credentials do not fit the type; null when they do (absent credentials always fit). */
export function credentialsProblem(type: BrokerType, credentials: unknown): Problem | null {
  if (credentials === undefined || credentials === null) return null;
  if (typeof credentials !== 'object' || Array.isArray(credentials)) return ['credentials', 'must be an object'];
  const entries = Object.entries(credentials as Record<string, unknown>);
  const bad = entries.find(([, v]) => typeof v !== 'string' || v.length > 1024);
  if (bad) return [`credentials.${bad[0]}`, 'must be a string of at most 1024 characters'];
  const names = entries.map(([k]) => k).sort();
  const sets = CREDENTIAL_SETS[type];
  if (!sets.some((set) => set.length === names.length && [...set].sort().every((n, i) => n === names[i]))) {
    return ['credentials', `for type ${type} must be ${sets.map((s) => `{ ${s.join(', ')} }`).join(' or ')}`];
  }
  return null;
}

/** The NATS subject of one event: `{type}` in the configured subject stands for the event type. */
export function natsSubjectFor(subject: string, eventType: string): string {
  return subject.replaceAll('{type}', eventType);
}

/** The routing key of one event: the configured one, else the event type. */
export function routingKeyFor(config: RabbitConfig, eventType: string): string {
  return config.routingKey ?? eventType;
}

/** What the sealed credentials are bound to (AES-GCM associated data): this endpoint's, and no secret's. */
export function credentialsBinding(endpointId: string): string {
  return `${endpointId}:credentials`;
}
