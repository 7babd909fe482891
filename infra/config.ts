import path from 'node:path';
import { z } from 'zod';
import { parseDuration, parseRetrySchedule } from '../domain/duration';
import { refuseSignatureHeaderName } from '../domain/header-names';

/** The one place that reads the environment. Everything else takes a `Config`. */

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).pipe(z.number().int().min(min).max(max));
const duration = z.string().transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});
const schedule = z.string().transform((v, ctx) => {
  try {
    return parseRetrySchedule(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});
const host = z.string().regex(/^([A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?)$/, 'expected a host name or IP address (0.0.0.0, 127.0.0.1, ::)');
const encryptionKey = z.string().transform((v, ctx) => {
  const key = Buffer.from(v, 'base64');
  if (key.length !== 32 || key.toString('base64') !== v.replace(/\s/g, '')) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)' });
    return z.NEVER;
  }
  return key;
});

/** An http(s) CONNECT proxy, credentials (percent-encoded) in the URL: http://user:pass@proxy.internal:3128 */
const proxyUrl = z.string().superRefine((v, ctx) => {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected an http:// or https:// proxy URL (http://user:password@proxy:3128)' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'expected an http:// or https:// proxy URL' });
  else if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'expected a proxy host' });
  else if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'expected no path, query or fragment, only scheme, credentials, host and port' });
  else if (Boolean(url.username) !== Boolean(url.password)) ctx.addIssue({ code: 'custom', message: 'expected both a user name and a password, or neither' });
});

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(1, 65535).default(3000),
  HOST: host.default('0.0.0.0'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(),
  DATABASE_MIGRATION_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(),
  DATABASE_POOL_SIZE: int(1, 1_000).default(20),
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('hookline'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: bool.optional(),
  HOOKLINE_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  HOOKLINE_ENCRYPTION_KEY: encryptionKey.optional(),
  HOOKLINE_MAX_PAYLOAD_BYTES: int(1, 1_500_000).default(262_144),
  HOOKLINE_MAX_ENDPOINTS_PER_TENANT: int(1, 10_000).default(5),
  HOOKLINE_LEGACY_SIGNATURE_HEADER: z
    .string()
    .superRefine((h, ctx) => {
      const problem = refuseSignatureHeaderName(h);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  HOOKLINE_REQUEST_TIMEOUT_MS: int(100, 25_000).default(5_000),
  HOOKLINE_RETRY_SCHEDULE: schedule.default(parseRetrySchedule('1s,5s,25s')),
  HOOKLINE_RETRY_AFTER_MAX: duration.default(parseDuration('1h')),
  HOOKLINE_DISABLE_AFTER_FAILURES: int(1, 1_000_000).default(10),
  HOOKLINE_ALLOW_PRIVATE_TARGETS: bool.default(false),
  HOOKLINE_EGRESS_PROXY: proxyUrl.optional(),
  HOOKLINE_OPEN_EVENT_TYPES: bool.default(false),
  HOOKLINE_EVENT_TYPES_FILE: z.string().regex(/\.(ya?ml|json)$/, 'expected a .yaml, .yml or .json file').optional(),
  HOOKLINE_WORKER_CONCURRENCY: int(1, 10_000).default(100),
  HOOKLINE_STICKY_TIMEOUT: duration.pipe(z.number().min(1_000, 'must be at least 1s').max(300_000, 'must be at most 5m')).default(parseDuration('5s')),
  HOOKLINE_WORKFLOW_STALL_LIMIT: duration.pipe(z.number().min(5_000, 'must be at least 5s').max(3_600_000, 'must be at most 1h')).default(parseDuration('60s')),
  HOOKLINE_WORKFLOW_STACK_TRACES: bool.default(false),
  HOOKLINE_LOCAL_SEND: bool.default(false),
  HOOKLINE_LOCAL_FIRST_ATTEMPT: bool.default(true),
  HOOKLINE_ENDPOINT_MAX_IN_FLIGHT: int(1, 10_000).optional(),
  HOOKLINE_TENANT_MAX_IN_FLIGHT: int(1, 10_000).optional(),
  HOOKLINE_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  HOOKLINE_METRICS_PORT: int(1, 65535).optional(),
  HOOKLINE_WORKER_METRICS_PORT: int(1, 65535).optional(),
  HOOKLINE_METRICS_HOST: host.optional(),
  HOOKLINE_TENANT_TEST_RATE: int(1, 1_000_000).default(20),
  HOOKLINE_TENANT_REDELIVER_RATE: int(1, 1_000_000).default(300),
  HOOKLINE_AUTH_FAILURES_PER_MINUTE: int(0, 1_000_000).default(100),
  HOOKLINE_PUBLISH_RATE_PER_SECOND: int(0, 1_000_000).default(0),
  HOOKLINE_RETENTION_DAYS: int(0, 36_500).default(30),
  HOOKLINE_PURGE_INTERVAL: duration.pipe(z.number().min(60_000, 'must be at least 1m')).default(parseDuration('1h')),
  HOOKLINE_PURGE_BATCH: int(1, 100_000).default(1_000),
  HOOKLINE_RECOVERY_BATCH_SIZE: int(1, 1_000).default(100),
  HOOKLINE_CIRCUIT_FAILURES: int(1, 1_000_000).default(10),
  HOOKLINE_CIRCUIT_WINDOW: duration.pipe(z.number().min(1_000, 'must be at least 1s')).default(parseDuration('60s')),
  HOOKLINE_CIRCUIT_COOL_DOWN: duration.pipe(z.number().min(100, 'must be at least 100ms')).default(parseDuration('30s')),
  HOOKLINE_CIRCUIT_COOL_DOWN_MAX: duration.pipe(z.number().min(100, 'must be at least 100ms')).default(parseDuration('15m')),
  HOOKLINE_OPERATOR_WEBHOOK_URL: z.string().url('expected an http(s) URL').regex(/^https?:\/\//i, 'expected an http(s) URL').optional(),
  HOOKLINE_OPERATOR_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'expected whsec_ followed by base64 (at least 24 bytes)').optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url('expected a URL').optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  HOOKLINE_PUBLIC_URL: z.string().regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'expected an http(s) URL with no query').optional(),
  HOOKLINE_PORTAL_SESSION_TTL: duration.pipe(z.number().min(60_000, 'at least 1m').max(86_400_000, 'at most 24h')).default(3_600_000),
  HOOKLINE_PORTAL_FRAME_ANCESTORS: z
    .string()
    .regex(/^\s*(('self'|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d+)?)(\s+|$))+$/, "expected space-separated origins (https://app.example.com) or 'self'")
    .optional(),
  HOOKLINE_TEMPORAL_UI_URL: z.string().regex(/^https?:\/\/\S+$/, 'expected an http(s) URL').optional(),
  // `npm run temporal -- --engine postgres` only: where the Postgres-backed Temporal server keeps its databases.
  TEMPORAL_DB_HOST: host.default('127.0.0.1'),
  TEMPORAL_DB_PORT: int(1, 65535).default(5432),
  TEMPORAL_DB_USER: z.string().min(1).default('postgres'),
  TEMPORAL_DB_PASSWORD: z.string().min(1).optional(),
  TEMPORAL_DB_PREFIX: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'expected lower-case letters, digits and _ (databases <prefix>_temporal and <prefix>_temporal_visibility)').default('hookline'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

// A fixed key keeps development data readable across restarts; it is used only when NODE_ENV says
// development or test, so a deployment that forgot NODE_ENV does not encrypt under a public key.
const DEVELOPMENT_ENCRYPTION_KEY = Buffer.alloc(32, 'hookline-development-key-not-secret');
// The local trust-auth server: migrations (003) create hookline_app, so both work with no setup.
const DEFAULT_DATABASE_URL = 'postgres://hookline_app@127.0.0.1:5432/hookline';
const DEFAULT_MIGRATION_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/hookline';

// Beside the compiled code too: `npm run build` copies it to dist/deploy/.
const SHIPPED_EVENT_TYPES_FILE = path.join(__dirname, '..', 'deploy', 'event-types.yaml');

/** The environment, checked across variables, as the `Config` every other module takes. */
const configSchema = envSchema.transform((e, ctx) => {
  const refuse = (name: string, message: string) => {
    ctx.addIssue({ code: 'custom', path: [name], message });
    return z.NEVER;
  };
  const production = e.NODE_ENV === 'production';
  if (production) {
    for (const name of ['HOOKLINE_ADMIN_TOKEN', 'HOOKLINE_ENCRYPTION_KEY', 'DATABASE_URL'] as const) {
      if (!e[name]) return refuse(name, 'required when NODE_ENV=production');
    }
  }
  if (e.HOOKLINE_OPERATOR_WEBHOOK_URL && !e.HOOKLINE_OPERATOR_WEBHOOK_SECRET) {
    return refuse('HOOKLINE_OPERATOR_WEBHOOK_SECRET', 'required when HOOKLINE_OPERATOR_WEBHOOK_URL is set (whsec_ and base64, e.g. whsec_$(openssl rand -base64 32))');
  }
  if (production && e.HOOKLINE_OPERATOR_WEBHOOK_URL && !/^https:/i.test(e.HOOKLINE_OPERATOR_WEBHOOK_URL)) {
    return refuse('HOOKLINE_OPERATOR_WEBHOOK_URL', 'must use https when NODE_ENV=production');
  }
  const metricsPort = e.HOOKLINE_METRICS_PORT ?? e.HOOKLINE_WORKER_METRICS_PORT;
  return {
    production,
    port: e.PORT,
    // The API listener's bind address.
    host: e.HOST,
    // The app's login: a role that owns nothing and is bound by row-level security (hookline_app).
    databaseUrl: e.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    // The schema owner's, for `npm run migrate` only.
    migrationDatabaseUrl: e.DATABASE_MIGRATION_URL ?? e.DATABASE_URL ?? DEFAULT_MIGRATION_DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY,
      tls: e.TEMPORAL_TLS ?? Boolean(e.TEMPORAL_API_KEY),
    },
    // The Postgres of the Temporal server that `npm run temporal -- --engine postgres` runs.
    temporalServerDatabase: { host: e.TEMPORAL_DB_HOST, port: e.TEMPORAL_DB_PORT, user: e.TEMPORAL_DB_USER, password: e.TEMPORAL_DB_PASSWORD, prefix: e.TEMPORAL_DB_PREFIX },
    adminToken: e.HOOKLINE_ADMIN_TOKEN,
    encryptionKey: e.HOOKLINE_ENCRYPTION_KEY ?? DEVELOPMENT_ENCRYPTION_KEY,
    maxPayloadBytes: e.HOOKLINE_MAX_PAYLOAD_BYTES,
    maxEndpointsPerTenant: e.HOOKLINE_MAX_ENDPOINTS_PER_TENANT,
    legacySignatureHeader: e.HOOKLINE_LEGACY_SIGNATURE_HEADER,
    requestTimeoutMs: e.HOOKLINE_REQUEST_TIMEOUT_MS,
    retryScheduleMs: e.HOOKLINE_RETRY_SCHEDULE,
    retryAfterMaxMs: e.HOOKLINE_RETRY_AFTER_MAX,
    disableAfterFailures: e.HOOKLINE_DISABLE_AFTER_FAILURES,
    allowPrivateTargets: e.HOOKLINE_ALLOW_PRIVATE_TARGETS,
    // Every delivery and OAuth2 token request leaves through this proxy when set (infra/webhook-fetch.ts).
    egressProxy: e.HOOKLINE_EGRESS_PROXY,
    openEventTypes: e.HOOKLINE_OPEN_EVENT_TYPES,
    eventTypesFile: path.resolve(e.HOOKLINE_EVENT_TYPES_FILE ?? SHIPPED_EVENT_TYPES_FILE),
    workerConcurrency: e.HOOKLINE_WORKER_CONCURRENCY,
    // How long a workflow task waits for the worker that has the run cached before any worker takes it.
    stickyTimeoutMs: e.HOOKLINE_STICKY_TIMEOUT,
    // Workflow code that has not answered an activation for this long stops the worker's process (temporal/workflow-sandbox.ts).
    workflowStallMs: e.HOOKLINE_WORKFLOW_STALL_LIMIT,
    // Where every workflow promise was made, for Temporal's "Stack Trace" query: a cost on every promise, so off unless asked.
    workflowStackTraces: e.HOOKLINE_WORKFLOW_STACK_TRACES,
    localSend: e.HOOKLINE_LOCAL_SEND,
    // A delivery's first attempt runs as a local activity in its first workflow task, later ones as activities (temporal/workflows/delivery.ts).
    localFirstAttempt: e.HOOKLINE_LOCAL_FIRST_ATTEMPT,
    // A worker's send slots one endpoint, and one tenant, may hold at once (fair share).
    endpointMaxInFlight: e.HOOKLINE_ENDPOINT_MAX_IN_FLIGHT ?? Math.max(1, Math.floor(e.HOOKLINE_WORKER_CONCURRENCY / 4)),
    tenantMaxInFlight: e.HOOKLINE_TENANT_MAX_IN_FLIGHT ?? Math.max(1, Math.floor(e.HOOKLINE_WORKER_CONCURRENCY / 2)),
    metricsToken: e.HOOKLINE_METRICS_TOKEN,
    // /metrics and /healthz on a listener of their own, in any process (HOOKLINE_WORKER_METRICS_PORT is
    // the older name); off when absent. Loopback in production without a metrics token, so an
    // unauthenticated scrape stays on the machine unless HOOKLINE_METRICS_HOST says otherwise.
    metricsListener: metricsPort
      ? { port: metricsPort, host: e.HOOKLINE_METRICS_HOST ?? (production && !e.HOOKLINE_METRICS_TOKEN ? '127.0.0.1' : '0.0.0.0') }
      : undefined,
    // Whether the API's own listener answers /metrics: never in production without a metrics token.
    metricsOnApi: !production || Boolean(e.HOOKLINE_METRICS_TOKEN),
    tenantRatePerMinute: { test: e.HOOKLINE_TENANT_TEST_RATE, redeliver: e.HOOKLINE_TENANT_REDELIVER_RATE },
    // Failed authentications a source (IP address, IPv6 /64) may make a minute in one API process; then 429. 0: no limit.
    authFailuresPerMinute: e.HOOKLINE_AUTH_FAILURES_PER_MINUTE,
    // Events a second POST /v1/events accepts for one tenant, across every API process, unless the tenant's settings say otherwise. 0: no limit.
    publishPerSecond: e.HOOKLINE_PUBLISH_RATE_PER_SECOND,
    retention: { days: e.HOOKLINE_RETENTION_DAYS, purgeIntervalMs: e.HOOKLINE_PURGE_INTERVAL, purgeBatch: e.HOOKLINE_PURGE_BATCH },
    // Where browsers reach this API (portal links); absent: the origin the admin's request came to.
    publicUrl: e.HOOKLINE_PUBLIC_URL?.replace(/\/+$/, ''),
    portalSessionTtlMs: e.HOOKLINE_PORTAL_SESSION_TTL,
    portalFrameAncestors: e.HOOKLINE_PORTAL_FRAME_ANCESTORS?.trim().split(/\s+/) ?? [],
    temporalUiUrl: e.HOOKLINE_TEMPORAL_UI_URL?.replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    version: HOOKLINE_VERSION,
    recoveryBatchSize: e.HOOKLINE_RECOVERY_BATCH_SIZE,
    circuit: {
      failures: e.HOOKLINE_CIRCUIT_FAILURES,
      windowMs: e.HOOKLINE_CIRCUIT_WINDOW,
      coolDownMs: e.HOOKLINE_CIRCUIT_COOL_DOWN,
      coolDownMaxMs: Math.max(e.HOOKLINE_CIRCUIT_COOL_DOWN, e.HOOKLINE_CIRCUIT_COOL_DOWN_MAX),
    },
    operatorWebhook: e.HOOKLINE_OPERATOR_WEBHOOK_URL ? { url: e.HOOKLINE_OPERATOR_WEBHOOK_URL, secret: e.HOOKLINE_OPERATOR_WEBHOOK_SECRET! } : undefined,
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME ?? 'hookline' } : undefined,
  };
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export interface LoadOptions {
  /** False for tools that never decrypt a secret nor answer a request (migrate, the Temporal dev server). */
  serving?: boolean;
}

export function loadConfig(env: Record<string, string | undefined> = process.env, opts: LoadOptions = {}): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const shown = name in present && !/TOKEN|KEY|URL|SECRET|PASSWORD|PROXY/.test(name) ? ` (got "${present[name]}")` : '';
    throw new ConfigError(`${name}: ${issue.message}${shown}`);
  }
  const explicitDevelopment = present.NODE_ENV === 'development' || present.NODE_ENV === 'test';
  if (!present.HOOKLINE_ENCRYPTION_KEY && !explicitDevelopment && opts.serving !== false) {
    throw new ConfigError('HOOKLINE_ENCRYPTION_KEY: required unless NODE_ENV=development or test (openssl rand -base64 32)');
  }
  return parsed.data;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const HOOKLINE_VERSION: string = require('../package.json').version;

/** For entry points: load the config or print one line naming the variable and exit. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env, opts: LoadOptions = {}): Config {
  try {
    return loadConfig(env, opts);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`hookline: invalid configuration: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
